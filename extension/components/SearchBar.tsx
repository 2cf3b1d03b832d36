import { useState } from "preact/hooks";
import { t } from "../lib/i18n.js";

/** The companion refuses a longer search (查询) than this. */
const MAX_QUERY_LENGTH = 64;

interface SearchBarProps {
  id: string;
  label: string;
  placeholder: string;
  testId: string;
  /** 查询 (or Enter): the trimmed text, searched on the companion. */
  onSearch(query: string): void;
}

/** A 查询 box: the text goes to the companion when the person asks, not on every key. */
export function SearchBar({ id, label, placeholder, testId, onSearch }: SearchBarProps) {
  const [typed, setTyped] = useState("");
  return (
    <form
      class="search-bar"
      onSubmit={(event) => {
        event.preventDefault();
        onSearch(typed.trim());
      }}
    >
      <label class="search-label" for={id}>
        {label}
      </label>
      <input
        id={id}
        name={id}
        value={typed}
        placeholder={placeholder}
        maxLength={MAX_QUERY_LENGTH}
        autoComplete="off"
        onInput={(event) => setTyped(event.currentTarget.value)}
      />
      <button type="submit" class="button button--primary" data-testid={testId}>
        {t("search")}
      </button>
    </form>
  );
}
