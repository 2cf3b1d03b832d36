import { shanghaiDate } from "../../shared/dates.js";
import { t } from "./i18n.js";

/** A grant's term in words: 长期 from its start, or 定期 from start to end (dates inclusive). */
export function termText(grant: { termType: string; startDate: string; endDate: string | null }): string {
  return grant.termType === "定期" && grant.endDate
    ? t("termFixedText", grant.startDate, grant.endDate)
    : t("termLongText", grant.startDate);
}

/**
 * An instant as a Shanghai wall-clock time, `YYYY-MM-DD HH:MM:SS`: the companion keeps its times and
 * grant dates in Asia/Shanghai, whatever zone this machine is in.
 */
export function shanghaiDateTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${shanghaiDate(ms)} ${new Date(ms + 8 * 3600_000).toISOString().slice(11, 19)}`;
}

/** Today in Asia/Shanghai, the default 授权期限起. */
export const todayInShanghai = (): string => shanghaiDate(Date.now());

/** An SVG picture from the companion (QR code, captcha) as a data: URL for <img src>. */
export const svgDataUrl = (svg: string): string => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
