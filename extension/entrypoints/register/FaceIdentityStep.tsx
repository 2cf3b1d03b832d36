import { FormError } from "../../components/FormError.js";
import { IdentityFields, identityValues, useIdentityFields } from "../../components/IdentityFields.js";
import { t } from "../../lib/i18n.js";
import { validateAll } from "../../lib/use-field.js";

export interface FaceIdentity {
  docType: "居民身份证";
  docNumber: string;
  name: string;
}

/** 人脸识别认证注册: 证件类型 (居民身份证 only), 证件号码, 姓名 → 【开始人脸识别】. */
export function FaceIdentityStep({
  notice,
  onStart,
}: {
  notice: string | null;
  onStart(identity: FaceIdentity): void;
}) {
  const identity = useIdentityFields();
  const submit = (event: Event) => {
    event.preventDefault();
    if (!validateAll([identity.docNumber, identity.name])) return;
    const { docNumber, name } = identityValues(identity);
    onStart({ docType: "居民身份证", docNumber, name });
  };
  return (
    <form class="step-body form-grid" onSubmit={submit} noValidate>
      <IdentityFields identity={identity} types={["居民身份证"]} />
      <FormError message={notice} />
      <div class="actions actions--form">
        <button type="submit" class="button button--primary" data-testid="face-start">
          {t("faceStart")}
        </button>
      </div>
    </form>
  );
}
