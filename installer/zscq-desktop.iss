; Inno Setup script: per-user installer for zscq-desktop (天津市知识产权资助项目申报助手).
;   iscc /DAppVersion=0.1.0 installer\zscq-desktop.iss      (after: python installer\build.py)
; Installs without administrator rights into %LOCALAPPDATA%\Programs, adds Start-menu and optional
; desktop shortcuts, associates .zscq files with the app for this user, and on uninstall removes
; only the program: the user's drafts and profiles (in %LOCALAPPDATA%\zscq-desktop) are kept.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "天津市知识产权资助项目申报助手"
#define AppExe "zscq-desktop.exe"

[Setup]
AppId={{6F1C2B9E-4D3A-4E8F-9B7C-2A5D8E1F3C40}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=zscq-desktop
DefaultDirName={autopf}\zscq-desktop
DefaultGroupName={#AppName}
; per-user: {autopf} resolves to %LOCALAPPDATA%\Programs and no UAC prompt appears
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename=zscq-desktop-{#AppVersion}-setup
SetupIconFile=..\resources\icons\app.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
DisableProgramGroupPage=yes

[Languages]
; ChineseSimplified.isl ships with recent Inno Setup; the CI workflow copies the translation into
; the compiler's Languages folder when an older Inno Setup lacks it.
Name: "chs"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "创建桌面快捷方式"; GroupDescription: "附加快捷方式："

[Files]
Source: "..\dist\zscq-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autoprograms}\卸载 {#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; .zscq → zscq-desktop for the current user (HKCU\Software\Classes, no admin needed)
Root: HKA; Subkey: "Software\Classes\.zscq"; ValueType: string; ValueName: ""; ValueData: "ZscqDesktop.Document"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\ZscqDesktop.Document"; ValueType: string; ValueName: ""; ValueData: "知识产权资助申报文件"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\ZscqDesktop.Document\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\_internal\resources\icons\document.ico"
Root: HKA; Subkey: "Software\Classes\ZscqDesktop.Document\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" gui ""%1"""

[Run]
Filename: "{app}\{#AppExe}"; Description: "启动 {#AppName}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; only what the program itself created inside {app}; drafts and profiles live elsewhere and stay
Type: filesandordirs; Name: "{app}\__pycache__"
