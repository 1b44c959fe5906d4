#!/usr/bin/env bash
# npm run demo: the offline tour (tools/demo/tour.ts). Needs what bash tools/setup.sh installs,
# and root, because the three test hosts are network namespaces.
exec bash "$(dirname "$0")/with-test-hosts.sh" demo tools/demo/tour.ts "$@"
