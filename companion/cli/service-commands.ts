import type { Command } from "commander";
import { thisPackageRoot } from "../service/places.js";

/** `taxauth service install | uninstall | status`: the companion started at login and from the browser. */
export function registerServiceCommands(program: Command): void {
  const service = program.command("service").description("本地服务随电脑自动启动，并可由浏览器扩展按需启动");
  // Loaded only when used: the other commands do not need it.
  const system = async () => {
    const install = await import("../service/install.js");
    return { install, system: install.thisSystem(thisPackageRoot(import.meta.dirname)) };
  };

  service
    .command("install")
    .description("为当前用户安装：登录后自动启动本地服务，并注册 Chrome / Chromium / Edge 的启动程序")
    .action(async () => {
      const { install, system: here } = await system();
      for (const line of install.installService(here)) process.stdout.write(`${line}\n`);
    });

  service
    .command("uninstall")
    .description("移除自动启动和浏览器启动程序（数据保留）")
    .action(async () => {
      const { install, system: here } = await system();
      for (const line of install.uninstallService(here)) process.stdout.write(`${line}\n`);
    });

  service
    .command("status")
    .description("是否已安装、是否正在运行")
    .action(async () => {
      const { install, system: here } = await system();
      const status = await install.serviceStatus(here);
      const lines = [
        `服务：${status.installed ? "已安装" : "未安装"}（${status.serviceFile}）`,
        ...(status.manager ? [`服务管理器：${status.manager}`] : []),
        `运行：${status.running ? "正在运行" : "未运行"}（${status.url}）`,
        ...status.hosts.map(
          (host) =>
            `浏览器启动程序（${host.browser}）：${host.registered ? "已注册" : "未注册"}（${host.manifestPath}）`,
        ),
      ];
      for (const line of lines) process.stdout.write(`${line}\n`);
      process.exitCode = status.installed ? 0 : 1;
    });
}
