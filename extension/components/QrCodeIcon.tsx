/** A small QR-code glyph: the login screen's switch to 扫码登录, and the 扫一扫 button. */
export function QrCodeIcon({ size = 20 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 20 20" aria-hidden="true" focusable="false">
      <path
        d="M1 1h7v7H1zM2.5 2.5v4h4v-4zM12 1h7v7h-7zM13.5 2.5v4h4v-4zM1 12h7v7H1zM2.5 13.5v4h4v-4zM3.5 3.5h2v2h-2zM14.5 3.5h2v2h-2zM3.5 14.5h2v2h-2zM10 1h1v3h-1zM10 5h1v4H9v-1h1zM11 10h3v1h-3zM16 10h3v2h-1v-1h-2zM12 12h2v2h-2zM15 13h2v2h-2zM10 15h2v4h-2zM13 16h2v3h-2zM17 17h2v2h-2zM1 10h3v1H1zM5 9h2v2H5z"
        fill="currentColor"
        fill-rule="evenodd"
      />
    </svg>
  );
}
