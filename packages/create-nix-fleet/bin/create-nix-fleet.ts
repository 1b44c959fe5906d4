#!/usr/bin/env node
// npx create-nix-fleet my-fleet [--hosts=ares:laptop,web1:server]
import { main } from '../src/cli';

main(process.argv.slice(2)).then((code) => process.exit(code));
