# workstation: Home Manager settings of the primary user on the desktop, on top of the home base
# profile and the creative, communication and productivity home profiles.
{ ... }:
{
}
