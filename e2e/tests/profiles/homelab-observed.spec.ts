// Observed and backed up: logs, alerts and backups that arrive, and the inventory read safely.
// Real nix-instantiate on the profile library's builtins-only helpers and this repo's hosts/ (or a
// broken copy); each case also reads the module that hands its decision to the helper.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evalFleet, nixString, profileSetting, profileText } from '../../support/homelab-safety';
import { REPO_ROOT } from '../../support/workspace';


describe('logs and alerts arrive (lib/monitoring.nix)', () => {
  it("ships every scraped host's journal to monitoring-server's Loki", () => {
    const view = evalFleet<{ scraped: string[]; url: string | null; config: string }>(
      REPO_ROOT,
      `let url = lib.monitoring.lokiPushUrl { inherit hosts; port = 3100; }; in {
        scraped = lib.monitoring.scrapedHosts hosts;
        inherit url;
        config = lib.monitoring.alloyConfig { host = "web-server"; inherit url; };
      }`,
    );
    expect(view.scraped).toEqual(['database-server', 'docker-server', 'monitoring-server', 'web-server']);
    expect(view.url).toBe('http://10.0.10.14:3100/loki/api/v1/push');
    expect(view.config).toMatch(/loki\.source\.journal "read" \{[^}]*forward_to {4}= \[loki\.write\.fleet\.receiver\]/);
    expect(view.config).toContain('url = "http://10.0.10.14:3100/loki/api/v1/push"');
    expect(view.config).toContain('labels        = { host = "web-server", job = "systemd-journal" }');
    // The general role, which every scraped server has, runs Alloy with that URL.
    expect(profileSetting('server/roles/general.nix', 'services', 'alloy', 'enable')).toMatch(/lokiUrl != null/);
    expect(profileText('server/roles/general.nix')).toMatch(/default = lokiUrl;/);
  });

  it('ships nowhere, and says so, when no host has the monitoring role', () => {
    const url = evalFleet<string | null>(
      REPO_ROOT,
      'lib.monitoring.lokiPushUrl { hosts = builtins.mapAttrs (_: h: h // { roles = [ ]; }) hosts; port = 3100; }',
    );
    expect(url).toBeNull();
    expect(profileText('server/roles/general.nix')).toMatch(/is shipped nowhere/);
  });

  it('has rules for a host down, a disk over 85 %, a failed unit, an expiring certificate and an old backup', () => {
    const rules = evalFleet<{ groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }>(
      REPO_ROOT,
      `lib.monitoring.alertRules { backupInstances = map (n: "\${hosts.\${n}.deployment.targetHost}:9100") (lib.backup.backedUp hosts); }`,
    ).groups[0].rules;
    const expr = Object.fromEntries(rules.map((r) => [r.alert === 'BackupMissing' ? `${r.alert} ${r.expr}` : r.alert, r.expr]));
    expect(expr.HostDown).toBe('up{job="node"} == 0');
    expect(expr.DiskAlmostFull).toMatch(/\* 100 > 85$/);
    expect(expr.SystemdUnitFailed).toBe('node_systemd_unit_state{state="failed"} == 1');
    expect(expr.CertificateExpiresSoon).toBe('fleet_certificate_expiry_timestamp_seconds - time() < 1209600');
    expect(expr.BackupTooOld).toBe('time() - fleet_backup_last_success_timestamp_seconds > 129600');
    expect(Object.keys(expr).filter((k) => k.startsWith('BackupMissing')).sort()).toEqual([
      'BackupMissing absent(fleet_backup_last_success_timestamp_seconds{instance="10.0.10.11:9100"})',
      'BackupMissing absent(fleet_backup_last_success_timestamp_seconds{instance="10.0.10.13:9100"})',
      'BackupMissing absent(fleet_backup_last_success_timestamp_seconds{instance="10.0.10.14:9100"})',
    ]);
    // The monitoring role loads them into Prometheus and sends them to its Alertmanager.
    expect(profileSetting('server/roles/monitoring.nix', 'services', 'prometheus', 'rules')).toMatch(/monitoring\)\.alertRules/);
    expect(profileSetting('server/roles/monitoring.nix', 'services', 'prometheus', 'alertmanager', 'enable')).toBe('true');
  });

  it("passes Prometheus's own check (promtool check rules), as the monitoring role loads them", () => {
    const dir = mkdtempSync(join(tmpdir(), 'alert-rules-'));
    try {
      const file = join(dir, 'fleet.rules');
      writeFileSync(file, evalFleet<string>(REPO_ROOT, 'builtins.toJSON (lib.monitoring.alertRules { backupInstances = [ "10.0.10.13:9100" ]; })'));
      const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf-8' });
      expect({ status: r.status, out: `${r.stdout}${r.stderr}` }).toEqual({ status: 0, out: expect.stringContaining('SUCCESS: 6 rules found') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes IPv6 addresses in brackets in the Loki URL and the scrape targets', () => {
    const root = mkdtempSync(join(tmpdir(), 'homelab-ipv6-'));
    try {
      for (const dir of ['hosts', 'packages/profiles']) cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
      const setTarget = (host: string, address: string) => {
        const file = join(root, 'hosts', host, 'host.json');
        const json = JSON.parse(readFileSync(file, 'utf-8'));
        json.deployment.targetHost = address;
        writeFileSync(file, JSON.stringify(json, null, 2));
      };
      setTarget('monitoring-server', 'fd00:10::14');
      setTarget('docker-server', '[fd00:10::12]');
      const view = evalFleet<{ url: string; targets: string[] }>(
        root,
        `{
          url = lib.monitoring.lokiPushUrl { inherit hosts; port = 3100; };
          targets = map (lib.monitoring.scrapeTarget hosts 9100) (lib.monitoring.scrapedHosts hosts);
        }`,
      );
      // "http://fd00:10::14:3100/..." is no URL: Alloy would refuse its configuration and not start.
      expect(new URL(view.url).host).toBe('[fd00:10::14]:3100');
      expect(view.targets).toEqual(['10.0.10.13:9100', '[fd00:10::12]:9100', '[fd00:10::14]:9100', '10.0.10.11:9100']);
      // The monitoring role scrapes, and names in its backup alerts, exactly these targets.
      expect(profileSetting('server/roles/monitoring.nix', 'instance')).toBe('((monitoring).scrapeTarget hosts nodePort)');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("turns Alertmanager's cluster gossip off, which would listen on every interface", () => {
    expect(profileSetting('server/roles/monitoring.nix', 'prometheus', 'alertmanager', 'extraFlags')).toBe('[ ("--cluster.listen-address=") ]');
  });

  it("keeps Alertmanager, whose API takes anyone's silences, on 127.0.0.1 and out of the fleet ports", () => {
    expect(profileSetting('server/roles/monitoring.nix', 'prometheus', 'alertmanager', 'listenAddress')).toBe('"127.0.0.1"');
    expect(profileSetting('server/roles/monitoring.nix', 'alertmanagers')).toContain('targets = [ (("127.0.0.1:" + (toString (am).port))) ]');
    expect(profileSetting('server/roles/monitoring.nix', 'profiles', 'fleet', 'firewall', 'fleetTCPPorts')).not.toMatch(/am\)?\.port/);
  });

  it('binds Prometheus, Grafana and Loki to the fleet address, not 0.0.0.0', () => {
    const monitoring = profileText('server/roles/monitoring.nix') + profileText('server/loki-config.nix');
    expect(monitoring).not.toMatch(/0\.0\.0\.0/);
    expect(profileSetting('server/roles/monitoring.nix', 'services', 'prometheus', 'listenAddress')).toBe('hostPart');
    expect(profileSetting('server/roles/monitoring.nix', 'hostPart')).toMatch(/\(cfg\)\.listenAddress/);
    expect(profileSetting('server/roles/monitoring.nix', 'settings', 'server', 'http_addr')).toBe('(cfg).listenAddress');
    expect(profileSetting('server/loki-config.nix', 'server', 'http_listen_address')).toBe('listenAddress');
  });
});

describe('backups (server/roles/backup.nix, lib/backup.nix)', () => {
  it('backs up database-server, monitoring-server and web-server, each with its data', () => {
    const sets = evalFleet<Record<string, string[]>>(
      REPO_ROOT,
      'builtins.listToAttrs (map (name: { inherit name; value = lib.backup.defaultPaths { host = hosts.${name}; }; }) (lib.backup.backedUp hosts))',
    );
    expect(sets).toEqual({
      'database-server': ['/var/backup/postgresql'],
      'monitoring-server': ['/var/lib/grafana'],
      'web-server': ['/var/www'],
    });
  });

  it.each([['/'], ['/etc'], ['/etc/ssh/ssh_host_ed25519_key'], ['/var/lib/sops-nix']])('refuses %s: it holds the host key', (path) => {
    const problems = evalFleet<string[]>(REPO_ROOT, `lib.backup.problems [ "/srv" ${nixString(path)} "/etcetera" ]`);
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^profiles\\.server\\.roles\\.backup\\.paths: ${path.replace(/\//g, '\\/')} holds `))]);
  });

  it('runs on a schedule, prunes, checks and reports its age', () => {
    expect(profileSetting('server/roles/backup.nix', 'timerConfig', 'OnCalendar')).toBe('(cfg).schedule');
    expect(profileSetting('server/roles/backup.nix', 'runCheck')).toBe('true');
    expect(profileSetting('server/roles/backup.nix', 'pruneOpts')).toBe('(cfg).keep');
    expect(profileSetting('server/roles/backup.nix', 'exclude')).toBe('(backup).forbidden');
    expect(profileText('server/roles/backup.nix')).toMatch(/fleet_backup_last_success_timestamp_seconds/);
  });

  it("runs after the night's database dump, so a snapshot holds today's dump", () => {
    // services.postgresqlBackup.startAt defaults to 01:15; the database role keeps that default.
    expect(profileText('server/roles/database.nix')).not.toMatch(/startAt/);
    const schedule = profileText('server/roles/backup.nix').match(/schedule = mkOption \{[^}]*?default = "([^"]*)"/)?.[1];
    const at = schedule?.match(/^\*-\*-\* (\d\d):(\d\d):00$/);
    expect(at).not.toBeNull();
    const minutes = Number(at?.[1]) * 60 + Number(at?.[2]);
    // Later than the dump, and done (with the timer's 30 min random delay) before a 04:00 upgrade.
    expect(minutes).toBeGreaterThan(75);
    expect(minutes + 30).toBeLessThan(240);
  });
});

describe('the inventory (lib/read-hosts.nix, lib/json-check.nix)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'homelab-observed-'));
    for (const dir of ['hosts', 'packages/profiles']) cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const readHosts = (at: string) =>
    spawnSync('nix-instantiate', ['--eval', '--strict', '-E', `builtins.mapAttrs (_: host: host.type) (import ${at}/packages/profiles/lib/read-hosts.nix ${at}/hosts)`], {
      encoding: 'utf-8',
    });

  it('names the one broken host.json among good ones', () => {
    writeFileSync(join(root, 'hosts/docker-server/host.json'), '{\n  "type": "server",\n  "system": "x86_64-linux",\n}\n');
    const r = readHosts(root);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/hosts\/docker-server\/host\.json is not valid JSON: unexpected '\}' on line 4/);
    expect(readHosts(REPO_ROOT).status).toBe(0);
  });

  // mk-fleet.nix with a stand-in for nixpkgs' nixosSystem (nixpkgs cannot be fetched here): what
  // is evaluated for real is the library reading the inventory before it builds any host.
  const toplevelOf = (at: string, host: string) =>
    spawnSync(
      'nix-instantiate',
      [
        '--eval',
        '-E',
        `((import ${at}/packages/profiles/lib/mk-fleet.nix) {
          nixpkgs.lib.nixosSystem = args: { config.system.build.toplevel = "built"; };
          hostsDir = ${at}/hosts;
        }).nixosConfigurations.${host}.config.system.build.toplevel`,
      ],
      { encoding: 'utf-8' },
    );

  it("fails a good host's evaluation with the broken file's name (mk-fleet.nix)", () => {
    expect(toplevelOf(REPO_ROOT, 'web-server').stdout.trim()).toBe('"built"');
    writeFileSync(join(root, 'hosts/docker-server/host.json'), '{"type": "server", "system": "x86_64-linux"');
    const r = toplevelOf(root, 'web-server');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/hosts\/docker-server\/host\.json is not valid JSON: it ends too early/);
  });

  it.each([
    '{"a": 1}',
    '{"a": [1, {"b": null}], "c": -1.5e3, "d": "\\u00e9\\n"}',
    '{"a": 1,}',
    '{"a" 1}',
    '[1, 2',
    '{"a": "x\\y"}',
    '{"a": 01}',
    '{"a": tru}',
    '{} {}',
    '',
    '"ü"',
  ])('agrees with builtins.fromJSON on %j', (json) => {
    const file = join(root, 'x.json');
    writeFileSync(file, json);
    const ours = spawnSync('nix-instantiate', ['--eval', '--json', '-E', `import ${root}/packages/profiles/lib/json-check.nix (builtins.readFile ${file})`], { encoding: 'utf-8' });
    const nix = spawnSync('nix-instantiate', ['--eval', '--strict', '-E', `builtins.fromJSON (builtins.readFile ${file})`], { encoding: 'utf-8' });
    expect({ json, valid: JSON.parse(ours.stdout) === null }).toEqual({ json, valid: nix.status === 0 });
  });
});

describe('the rest of the review', () => {
  it('switches host.json profiles on with mkDefault, so configuration.nix may switch them off', () => {
    const profiles = evalFleet<unknown[]>(
      REPO_ROOT,
      '(lib.hostModule { name = "ares"; host = hosts.ares; inherit hosts; } { lib = stubLib; }).profiles',
    );
    expect(profiles).toContainEqual({ development: { enable: { _type: 'override', priority: 1000, content: true } } });
  });

  it('starts waybar: Hyprland through UWSM reaches graphical-session.target', () => {
    expect(profileSetting('desktop.nix', 'programs', 'hyprland', 'withUWSM')).toBe('true');
    expect(profileSetting('desktop.nix', 'programs', 'waybar', 'enable')).toBe('true');
  });

  it('orders role passwords after postgresql-setup and allows each role only its database over TLS', () => {
    expect(profileSetting('server/roles/database.nix', 'postgresql-passwords', 'requires')).toMatch(/"postgresql-setup\.service"/);
    expect(profileSetting('server/roles/database.nix', 'services', 'postgresql', 'authentication')).toMatch(/"hostssl " \+ db \+ " " \+ db \+ " " \+ net \+ " scram-sha-256/);
    expect(profileSetting('server/roles/database.nix', 'services', 'postgresql', 'authentication')).not.toMatch(/host all all/);
  });

  it('puts the fleet cache on every host, beside cache.nixos.org', () => {
    expect(profileSetting('base/nix.nix', 'nix', 'settings', 'extra-substituters')).toMatch(/fleetCache\.url\)$/);
    expect(profileSetting('base/nix.nix', 'nix', 'settings', 'extra-trusted-public-keys')).toMatch(/fleetCache\.publicKey\)$/);
  });
});
