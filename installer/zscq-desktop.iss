; Inno Setup script: per-user installer for zscq-desktop (天津市知识产权资助项目申报助手).
;
;   python installer\build.py                                   (the bundle: dist\zscq-desktop\)
;   iscc /DAppVersion=0.1.0 installer\zscq-desktop.iss          (→ dist\zscq-desktop-0.1.0-setup.exe)
;
; Installs without administrator rights into %LOCALAPPDATA%\Programs\zscq-desktop, adds a Start-menu
; shortcut and (a task, ticked by default) a desktop shortcut, associates .zscq files with the app for
; this user (HKCU\Software\Classes), and on uninstall removes only the program and its registry keys:
; the user's drafts, profiles and logs (platformdirs' user_data_dir, %LOCALAPPDATA%\zscq-desktop) and
; the window settings (HKCU\Software\zscq-desktop) are kept. Saved mail passwords stay in the Windows
; Credential Manager. The workflow .github/workflows/windows.yml installs and uninstalls it silently
; and checks all of this. Needs Inno Setup 6.3 or later (UTF-8 script without BOM, x64compatible).

#if VER < EncodeVer(6, 3, 0)
  #error Inno Setup 6.3 or later is required
#endif
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "天津市知识产权资助项目申报助手"
; the GUI executable: installer/bundle_contents.py APP + ".exe" (tests/test_installer_static.py checks it);
; zscq-desktop-cli.exe beside it is the console twin for the command line
#define AppExe "zscq-desktop.exe"
#define ProgId "ZscqDesktop.Document"

[Setup]
; never change AppId: upgrades and the uninstaller find the installation by it
AppId={{6F1C2B9E-4D3A-4E8F-9B7C-2A5D8E1F3C40}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=zscq-desktop
VersionInfoVersion={#AppVersion}
VersionInfoDescription={#AppName} 安装程序
; per-user: {autopf} is %LOCALAPPDATA%\Programs, HKA is HKCU, no UAC prompt. An administrator can
; still install for all users with /ALLUSERS on the command line; nobody is asked in a dialog.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline
DefaultDirName={autopf}\zscq-desktop
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
; PySide6 6.x (Qt 6) runs on 64-bit Windows 10 1809 or later
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763
OutputDir=..\dist
OutputBaseFilename=zscq-desktop-{#AppVersion}-setup
SetupIconFile=..\resources\icons\app.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=no
; the app may be running during an upgrade or uninstall: close it through the Restart Manager
CloseApplications=yes
RestartApplications=no
; tell Explorer that the .zscq association changed (icons refresh without a logoff)
ChangesAssociations=yes

[Languages]
; ChineseSimplified.isl: an official translation only in recent Inno Setup; the workflow fetches it
; into the compiler's Languages folder when the installed compiler lacks it.
Name: "chs"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "创建桌面快捷方式"; GroupDescription: "附加快捷方式："

[InstallDelete]
; an upgrade replaces the whole bundle: libraries left over from an older version must not mix in
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\dist\zscq-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"; Comment: "填写、检查并导出天津市知识产权资助项目申报材料"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Registry]
; .zscq → the app, for this user only. PyInstaller 6 puts data under _internal\ beside the executable
; (checked in the Linux build: _internal/resources/icons/document.ico).
Root: HKA; Subkey: "Software\Classes\.zscq"; ValueType: string; ValueName: ""; ValueData: "{#ProgId}"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.zscq\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "知识产权资助申报文件"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\_internal\resources\icons\document.ico"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" gui ""%1"""
; .zscqcall (a yearly call pack) → the same app: opening one shows the import dialog, installs nothing unasked
Root: HKA; Subkey: "Software\Classes\.zscqcall"; ValueType: string; ValueName: ""; ValueData: "ZscqDesktop.CallPack"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\ZscqDesktop.CallPack"; ValueType: string; ValueName: ""; ValueData: "申报年度数据包"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\ZscqDesktop.CallPack\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\_internal\resources\icons\document.ico"
Root: HKA; Subkey: "Software\Classes\ZscqDesktop.CallPack\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" gui ""%1"""
; "打开方式" lists the app under its Chinese name
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".zscq"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".zscqcall"; ValueData: ""
; without an open command 打开方式 → 申报助手 ran nothing; the program also takes a bare file path
; (a .zscq dropped on it or its shortcut), see zscq_desktop.cli.route
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" gui ""%1"""

[Run]
Filename: "{app}\{#AppExe}"; Description: "启动 {#AppName}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete]: the program writes nothing into {app} (the frozen app runs from its archive;
; drafts, logs and settings live in the user's folders), so the uninstaller removes exactly what it
; installed and the user's drafts stay.
