# Base profile: what every machine gets (CLI tools, locale, SSH client); on unless switched off.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.base;
  inherit (lib) mkIf mkEnableOption mkOption types;
in
{
  imports = [
    ./nix.nix
    ./user.nix
  ];

  options.profiles.base = {
    enable = mkEnableOption "the base profile (CLI tools, Nix settings, primary user)" // {
      default = true;
    };

    timeZone = mkOption {
      type = types.str;
      default = "UTC";
      example = "Europe/Berlin";
      description = "Time zone of the machine (`time.timeZone`).";
    };

    locale = mkOption {
      type = types.str;
      default = "en_US.UTF-8";
      description = "Default locale (`i18n.defaultLocale`).";
    };

    extraPackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
      example = lib.literalExpression "[ pkgs.neovim ]";
      description = "Packages added to the essential CLI tools of this host.";
    };

    sshClientConfig = mkOption {
      type = types.lines;
      default = ''
        # Keep idle connections (deploys, tunnels) alive through NAT.
        ServerAliveInterval 60
        ServerAliveCountMax 3
      '';
      description = "Text for the system-wide OpenSSH client configuration (`programs.ssh.extraConfig`).";
    };
  };

  config = mkIf cfg.enable {
    time.timeZone = lib.mkDefault cfg.timeZone;
    i18n.defaultLocale = lib.mkDefault cfg.locale;

    programs.ssh.extraConfig = cfg.sshClientConfig;

    environment.systemPackages =
      (with pkgs; [
        curl
        file
        git
        htop
        jq
        ripgrep
        fd
        tree
        unzip
        vim
        wget
      ])
      ++ cfg.extraPackages;
  };
}
