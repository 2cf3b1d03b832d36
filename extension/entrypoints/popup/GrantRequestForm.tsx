import { GRANT_REQUEST_TEXT_MAX } from "../../../shared/api/grant-requests.js";
import { taxpayerIdSchema } from "../../../shared/identity/schemas.js";
import { FormError } from "../../components/FormError.js";
import { TermFields, useTermFields } from "../../components/TermFields.js";
import { TextField } from "../../components/TextField.js";
import { checkWith } from "../../lib/check-with.js";
import { companion, type GrantRequestView } from "../../lib/companion-client.js";
import { describeError, fieldErrors } from "../../lib/describe-error.js";
import { todayInShanghai } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";
import { applyFieldErrors, useField, validateAll } from "../../lib/use-field.js";

const checkTin = checkWith(taxpayerIdSchema);
const checkNote = (note: string) => ([...note.trim()].length > GRANT_REQUEST_TEXT_MAX ? t("noteTooLong") : null);

/** 申请授权: the unit by 纳税人识别号, the 权限类型 and 授权期限 asked for, and a note for its managers. */
export function GrantRequestForm({ onSent }: { onSent(request: GrantRequestView): void }) {
  const tin = useField("", (value) => checkTin(value));
  const note = useField("", checkNote);
  const term = useTermFields(
    { permission: "办税权限", termType: "长期", startDate: todayInShanghai(), endDate: null },
    null,
  );
  const send = useAction(
    async () => onSent(await companion.askGrant({ tin: tin.value, note: note.value, ...term.values() })),
    {
      onError: (error) =>
        applyFieldErrors({ tin, note, startDate: term.startDate, endDate: term.endDate }, fieldErrors(error))
          ? null
          : describeError(error),
    },
  );

  const submit = (event: Event) => {
    event.preventDefault();
    if (validateAll([tin, note, ...term.fields()])) void send.run();
  };

  return (
    <form class="request-form" data-testid="grant-request-form" onSubmit={submit} noValidate>
      <TextField id="request-tin" label={t("requestFieldTin")} field={tin} maxLength={20} />
      <TermFields term={term} prefix="request-" />
      <TextField
        id="request-note"
        label={t("requestFieldNote")}
        field={note}
        maxLength={GRANT_REQUEST_TEXT_MAX}
        hint={t("requestNoteHint")}
      />
      <FormError message={send.error} testId="grant-request-error" />
      <button type="submit" class="button button--primary" data-testid="grant-request-submit" disabled={send.busy}>
        {t("requestSubmit")}
      </button>
    </form>
  );
}
