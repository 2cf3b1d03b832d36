import { join, posix, win32 } from "node:path";
import { NATIVE_HOST_NAME } from "../../shared/extension-identity.js";

export type ServicePlatform = "linux" | "darwin" | "win32";

/** The systemd unit's name, the launchd label and the Windows task's name. */
export const SERVICE_NAME = "taxauth";
export const LAUNCHD_LABEL = "com.taxauth.companion";

/** Who the files are for: the platform, the user's home and the variables that move its folders. */
export interface UserHome {
  platform: ServicePlatform;
  home: string;
  /** XDG_CONFIG_HOME on Linux; LOCALAPPDATA on Windows. */
  env: Record<string, string | undefined>;
}

/** A native messaging host registration: a manifest file and, on Windows, the registry key naming it. */
export interface HostRegistration {
  browser: "Google Chrome" | "Chromium" | "Microsoft Edge";
  manifestPath: string;
  /** HKCU\… whose default value is the manifest's path (Windows only). */
  registryKey?: string;
}

/** Where `taxauth service install` writes, per user (nothing system-wide, no administrator). */
export interface ServicePlaces {
  /** The systemd unit, the launchd plist or the Task Scheduler XML. */
  serviceFile: string;
  /** Our own folder: the native host's launcher script (it carries the environment). */
  ownDir: string;
  hostLauncher: string;
  /** Windows: the scheduled task runs this script, which carries the environment and the log. */
  companionLauncher: string;
  /** Where the companion's output goes when no journal takes it (macOS, Windows). */
  logDir: string;
  hosts: HostRegistration[];
}

const manifestName = `${NATIVE_HOST_NAME}.json`;

export function servicePlaces({ platform, home, env }: UserHome): ServicePlaces {
  if (platform === "linux") {
    const config = env.XDG_CONFIG_HOME || posix.join(home, ".config");
    const ownDir = posix.join(config, "taxauth");
    // Chrome, Chromium and Edge each read NativeMessagingHosts in their own folder under ~/.config.
    const host = (browser: HostRegistration["browser"], folder: string): HostRegistration => ({
      browser,
      manifestPath: posix.join(config, folder, "NativeMessagingHosts", manifestName),
    });
    return {
      serviceFile: posix.join(config, "systemd", "user", `${SERVICE_NAME}.service`),
      ownDir,
      hostLauncher: posix.join(ownDir, "native-host.sh"),
      companionLauncher: posix.join(ownDir, "companion.sh"),
      logDir: posix.join(ownDir, "logs"),
      hosts: [
        host("Google Chrome", "google-chrome"),
        host("Chromium", "chromium"),
        host("Microsoft Edge", "microsoft-edge"),
      ],
    };
  }
  if (platform === "darwin") {
    const support = posix.join(home, "Library", "Application Support");
    const ownDir = posix.join(support, "taxauth");
    const host = (browser: HostRegistration["browser"], folder: string): HostRegistration => ({
      browser,
      manifestPath: posix.join(support, folder, "NativeMessagingHosts", manifestName),
    });
    return {
      serviceFile: posix.join(home, "Library", "LaunchAgents", `${LAUNCHD_LABEL}.plist`),
      ownDir,
      hostLauncher: posix.join(ownDir, "native-host.sh"),
      companionLauncher: posix.join(ownDir, "companion.sh"),
      logDir: posix.join(home, "Library", "Logs", "taxauth"),
      hosts: [
        host("Google Chrome", posix.join("Google", "Chrome")),
        host("Chromium", "Chromium"),
        host("Microsoft Edge", "Microsoft Edge"),
      ],
    };
  }
  // Windows: the browsers find the manifest through a registry key under HKEY_CURRENT_USER.
  const ownDir = win32.join(env.LOCALAPPDATA || win32.join(home, "AppData", "Local"), "taxauth");
  const manifestPath = win32.join(ownDir, manifestName);
  const host = (browser: HostRegistration["browser"], vendorKey: string): HostRegistration => ({
    browser,
    manifestPath,
    registryKey: `HKCU\\Software\\${vendorKey}\\NativeMessagingHosts\\${NATIVE_HOST_NAME}`,
  });
  return {
    serviceFile: win32.join(ownDir, `${SERVICE_NAME}-task.xml`),
    ownDir,
    hostLauncher: win32.join(ownDir, "native-host.cmd"),
    companionLauncher: win32.join(ownDir, "companion.cmd"),
    logDir: win32.join(ownDir, "logs"),
    hosts: [
      host("Google Chrome", "Google\\Chrome"),
      host("Chromium", "Chromium"),
      host("Microsoft Edge", "Microsoft\\Edge"),
    ],
  };
}

/** The companion's files inside an installed package (or a checkout): what the service runs. */
export interface PackageFiles {
  root: string;
  /** The bundled `taxauth` command and native host (npm run build:companion). */
  main: string;
  nativeHost: string;
  keyringWrapper: string;
}

export function packageFiles(root: string, platform: ServicePlatform): PackageFiles {
  const path = platform === "win32" ? win32 : posix;
  return {
    root,
    main: path.join(root, "dist", "taxauth", "main.js"),
    nativeHost: path.join(root, "dist", "taxauth", "native-host.js"),
    keyringWrapper: path.join(root, "scripts", "with-keyring.sh"),
  };
}

/** The package this code runs from: dist/taxauth/<chunk>.js → the root two folders up. */
export const thisPackageRoot = (bundleDir: string) => join(bundleDir, "..", "..");
