# ares: Home Manager settings of the primary user on this laptop, on top of the home base profile
# (packages/profiles/home/base.nix). Kept minimal on purpose: the laptop's closure budget is 12 GB.
{ ... }:
{
}
