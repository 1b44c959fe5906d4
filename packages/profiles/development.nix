# Development profile: a master switch, then languages and tools one sub-option each.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.development;
  inherit (lib) mkIf mkEnableOption optionals;
  # Common languages and tools default on, specialised ones off: one switch gives a useful machine,
  # and large tools cost only the hosts that ask for them.
  enabledByDefault = description: mkEnableOption description // { default = true; };
in
{
  options.profiles.development = {
    enable = mkEnableOption "development tools (switch languages and tools on below)";

    languages = {
      python.enable = enabledByDefault "Python 3";
      nodejs.enable = enabledByDefault "Node.js with npm";
      rust.enable = mkEnableOption "Rust (rustc, cargo, rust-analyzer, rustfmt, clippy)";
      go.enable = mkEnableOption "Go with gopls";
      c.enable = mkEnableOption "C and C++ (gcc, make, cmake, gdb)";
      java.enable = mkEnableOption "Java (the default JDK)";
    };

    tools = {
      git.enable = enabledByDefault "Git with the GitHub CLI";
      direnv.enable = enabledByDefault "direnv with nix-direnv, for per-project shells";
      docker.enable = mkEnableOption "Docker; the primary user joins the docker group (root-equivalent)";
      kubernetes.enable = mkEnableOption "kubectl and k9s";
    };
  };

  config = mkIf cfg.enable {
    # The seed's DRY pattern: one list, each entry guarded by its own switch.
    environment.systemPackages =
      optionals cfg.languages.python.enable [ pkgs.python3 ]
      ++ optionals cfg.languages.nodejs.enable [ pkgs.nodejs ]
      ++ optionals cfg.languages.rust.enable (
        with pkgs;
        [
          rustc
          cargo
          rust-analyzer
          rustfmt
          clippy
        ]
      )
      ++ optionals cfg.languages.go.enable [
        pkgs.go
        pkgs.gopls
      ]
      ++ optionals cfg.languages.c.enable (
        with pkgs;
        [
          gcc
          gnumake
          cmake
          gdb
        ]
      )
      ++ optionals cfg.languages.java.enable [ pkgs.jdk ]
      ++ optionals cfg.tools.git.enable [
        pkgs.git
        pkgs.gh
      ]
      ++ optionals cfg.tools.docker.enable [ pkgs.docker-compose ]
      ++ optionals cfg.tools.kubernetes.enable [
        pkgs.kubectl
        pkgs.k9s
      ];

    programs.direnv.enable = mkIf cfg.tools.direnv.enable true;

    virtualisation.docker.enable = mkIf cfg.tools.docker.enable true;
    users.users.${config.profiles.base.user.name}.extraGroups = optionals cfg.tools.docker.enable [
      "docker"
    ];
  };
}
