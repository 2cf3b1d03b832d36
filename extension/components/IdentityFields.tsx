import { useRef, useState } from "preact/hooks";
import { checkPersonName } from "../../shared/identity/account-rules.js";
import {
  checkDocumentNumber,
  DOCUMENT_TYPES,
  type DocumentType,
  isDocumentType,
  normalizeDocumentNumber,
} from "../../shared/identity/documents.js";
import { t } from "../lib/i18n.js";
import { type FieldState, useField } from "../lib/use-field.js";
import { Field } from "./Field.js";
import { RareCharButton } from "./RareCharButton.js";
import { TextField } from "./TextField.js";

export interface IdentityState {
  docType: DocumentType;
  setDocType(type: DocumentType): void;
  docNumber: FieldState;
  name: FieldState;
}

/** 证件类型 / 证件号码 / 姓名, checked live by the shared validators. */
export function useIdentityFields(): IdentityState {
  const [docType, setDocType] = useState<DocumentType>("居民身份证");
  const docNumber = useField("", (v) => checkDocumentNumber(docType, normalizeDocumentNumber(docType, v)));
  const name = useField("", (v) => checkPersonName(v.trim()));
  return { docType, setDocType, docNumber, name };
}

/** The identity as the API takes it (number normalised the same way the companion does). */
export function identityValues(identity: IdentityState) {
  return {
    docType: identity.docType,
    docNumber: normalizeDocumentNumber(identity.docType, identity.docNumber.value),
    // Exactly as entered (rare characters and · included), in NFC as the companion stores it.
    name: identity.name.value.trim().normalize("NFC"),
  };
}

export function DocumentTypeSelect({
  value,
  onChange,
  types = DOCUMENT_TYPES,
}: {
  value: DocumentType;
  onChange(type: DocumentType): void;
  /** The choices; one only (人脸识别认证注册: 居民身份证) makes the select read-only. */
  types?: readonly DocumentType[];
}) {
  return (
    <Field id="docType" label={t("fieldDocType")}>
      <select
        id="docType"
        name="docType"
        value={value}
        disabled={types.length === 1}
        onChange={(event) => {
          const next = event.currentTarget.value;
          if (isDocumentType(next)) onChange(next);
        }}
      >
        {types.map((type) => (
          <option key={type} value={type}>
            {type}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function IdentityFields({ identity, types }: { identity: IdentityState; types?: readonly DocumentType[] }) {
  const nameInput = useRef<HTMLInputElement>(null);
  return (
    <>
      <DocumentTypeSelect value={identity.docType} onChange={identity.setDocType} types={types} />
      <TextField id="docNumber" label={t("fieldDocNumber")} field={identity.docNumber} maxLength={32} />
      {/* 姓名 is up to 50 code points (checkPersonName); maxlength counts UTF-16 units, and an Ext B
          character is two of them, so the input allows 100 and the rule says the rest. */}
      <TextField
        id="name"
        label={t("fieldName")}
        field={identity.name}
        maxLength={100}
        inputRef={nameInput}
        addon={<RareCharButton input={nameInput} field={identity.name} />}
      />
    </>
  );
}
