import type { ManagerRole } from "../../../shared/api/grants.js";

/**
 * 重置申报密码 is for the unit's 法定代表人 and 财务负责人 as tax registration knows them, not for
 * 管理权限 holders (the companion enforces it: NOT_UNIT_OFFICER).
 */
export const mayResetDeclarationPassword = (roles: readonly ManagerRole[]): boolean =>
  roles.includes("法定代表人") || roles.includes("财务负责人");
