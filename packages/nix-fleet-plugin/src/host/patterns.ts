// The name patterns of the inventory, in one place: the code checks with these, and a spec
// proves every schema.json that repeats one repeats it exactly.
export { HOSTNAME_PATTERN } from '../constants';
export { FLEET_NAME_PATTERN } from './names';
export { TARGET_ADDRESS_PATTERN, TARGET_HOST_PATTERN, TARGET_USER_PATTERN } from './target-address';

/** Profile, role and sub-option names: lowercase, usable as a Nix attribute and a file name. */
export const MODULE_NAME_PATTERN = /^[a-z][a-z0-9-]*$/;
/** Nx tags a host adds in host.json deployment.tags or nx g host --tags. */
export const TAG_PATTERN = /^[A-Za-z0-9:._/-]+$/;
