# Alertmanager's configuration (not a module): one route to the receivers the user configured.
# Kept out of roles/ because roles/default.nix imports every .nix file there as a role.
{
  # profiles.server.roles.monitoring.alertmanager.email
  email,
  # Whether a webhook URL file is loaded as the credential "webhook-url".
  webhook,
  # Where systemd puts the service's credentials.
  credentials,
}:
{
  route = {
    receiver = "fleet";
    group_by = [
      "alertname"
      "instance"
    ];
    repeat_interval = "12h";
  };
  receivers = [
    (
      {
        name = "fleet";
      }
      // (if webhook then { webhook_configs = [ { url_file = "${credentials}/webhook-url"; } ]; } else { })
      // (
        if email.to != null then
          {
            email_configs = [
              (
                {
                  inherit (email) to from smarthost;
                  require_tls = true;
                }
                // (if email.username != null then { auth_username = email.username; } else { })
                // (
                  if email.passwordFile != null then { auth_password_file = "${credentials}/smtp-password"; } else { }
                )
              )
            ];
          }
        else
          { }
      )
    )
  ];
}
