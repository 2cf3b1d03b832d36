/** The form-level message (a refusal that belongs to no single field). */
export function FormError({ message, testId = "form-error" }: { message: string | null; testId?: string }) {
  if (!message) return null;
  return (
    <p class="form-error" role="alert" data-testid={testId}>
      {message}
    </p>
  );
}
