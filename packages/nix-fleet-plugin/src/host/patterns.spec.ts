import { FLEET_NAME_PATTERN, HOSTNAME_PATTERN, MODULE_NAME_PATTERN, TAG_PATTERN, TARGET_HOST_PATTERN, TARGET_USER_PATTERN } from './patterns';

const hostSchema = require('../../host.schema.json');
const schema = (name: string) => require(`../generators/${name}/schema.json`);
const deployment = hostSchema.properties.deployment.properties;

describe('schema.json patterns are the code\'s patterns', () => {
  it.each([
    ['host.json roles', hostSchema.properties.roles.items.pattern, MODULE_NAME_PATTERN],
    ['host.json profiles', hostSchema.properties.profiles.items.pattern, MODULE_NAME_PATTERN],
    ['host.json deployment.tags', deployment.tags.items.pattern, TAG_PATTERN],
    ['host.json deployment.targetHost', deployment.targetHost.pattern, TARGET_HOST_PATTERN],
    ['host.json deployment.targetUser', deployment.targetUser.pattern, TARGET_USER_PATTERN],
    ['nx g host name', schema('host').properties.name.pattern, HOSTNAME_PATTERN],
    ['nx g host --target-user', schema('host').properties.targetUser.pattern, TARGET_USER_PATTERN],
    ['nx g preset name (and create-nix-fleet)', schema('preset').properties.name.pattern, FLEET_NAME_PATTERN],
    ['nx g profile name', schema('profile').properties.name.pattern, MODULE_NAME_PATTERN],
    ['nx g server-role name', schema('server-role').properties.name.pattern, MODULE_NAME_PATTERN],
  ])('%s', (_where, pattern, expected) => {
    expect(pattern).toBe(expected.source);
  });
});
