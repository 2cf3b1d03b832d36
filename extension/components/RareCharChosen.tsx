import { formatCodePoint } from "../../shared/rare-chars/lookup.js";
import { glyphProbe } from "../lib/glyph-support.js";
import { t } from "../lib/i18n.js";

/** The character that 确定 will insert, large, with its code point (and a note when no font here draws it). */
export function RareCharChosen({ codePoint }: { codePoint: number | null }) {
  if (codePoint === null) {
    return <p class="rare-chosen muted">{t("rareCharNoneChosen")}</p>;
  }
  const drawable = glyphProbe(getComputedStyle(document.body).fontFamily)(codePoint);
  return (
    <p class="rare-chosen" data-testid="rare-char-chosen">
      {t("rareCharChosen")}
      {drawable ? <span class="rare-chosen-char">{String.fromCodePoint(codePoint)}</span> : null}
      <span class="rare-chosen-code">{formatCodePoint(codePoint)}</span>
      {drawable ? null : <span class="muted">{t("rareCharNoGlyph")}</span>}
    </p>
  );
}
