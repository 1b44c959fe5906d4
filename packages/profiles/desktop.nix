# Desktop profile: Hyprland with waybar, wofi and the usual Wayland companions, audio, fonts.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.desktop;
  inherit (lib) mkIf mkEnableOption mkOption types;
in
{
  options.profiles.desktop = {
    enable = mkEnableOption "the Hyprland desktop with audio, fonts and Wayland tools";

    terminal = lib.mkPackageOption pkgs "kitty" { };

    displayManager.enable = mkEnableOption "SDDM (on Wayland) as the graphical login screen" // {
      default = true;
    };

    extraFonts = mkOption {
      type = types.listOf types.package;
      default = [ ];
      example = lib.literalExpression "[ pkgs.fira-code ]";
      description = "Fonts installed in addition to Noto (with colour emoji), DejaVu and Liberation.";
    };
  };

  config = mkIf cfg.enable {
    programs.hyprland = {
      enable = true;
      # Many apps (Steam, Electron, Java) still need X11.
      xwayland.enable = true;
      # Through UWSM the session reaches graphical-session.target, which starts waybar's user
      # service (programs.waybar is wantedBy that target); plain Hyprland never reaches it.
      withUWSM = true;
    };
    programs.waybar.enable = true;
    # Installs hyprlock and gives it its PAM service; without that it cannot check a password.
    programs.hyprlock.enable = true;

    services.displayManager.sddm = mkIf cfg.displayManager.enable {
      enable = true;
      wayland.enable = true;
    };
    # The UWSM session (programs.uwsm's "hyprland-uwsm"), not the plain one SDDM would pick.
    services.displayManager.defaultSession = mkIf cfg.displayManager.enable (lib.mkDefault "hyprland-uwsm");

    hardware.graphics.enable = true;
    networking.networkmanager.enable = true;

    # PipeWire replaces PulseAudio and JACK; rtkit gives it realtime scheduling.
    security.rtkit.enable = true;
    services.pipewire = {
      enable = true;
      alsa.enable = true;
      pulse.enable = true;
    };

    fonts.packages =
      (with pkgs; [
        noto-fonts
        noto-fonts-color-emoji
        dejavu_fonts
        liberation_ttf
      ])
      ++ cfg.extraFonts;

    # Electron and Chromium apps render natively on Wayland with this hint.
    environment.sessionVariables.NIXOS_OZONE_WL = "1";

    environment.systemPackages = [
      cfg.terminal
    ]
    ++ (with pkgs; [
      wofi
      mako
      grim
      slurp
      wl-clipboard
      hypridle
      pavucontrol
      brightnessctl
    ]);

    users.users.${config.profiles.base.user.name}.extraGroups = [
      "networkmanager"
      "video"
    ];
  };
}
