# Home creative profile (Home Manager module): raster and vector graphics.
{ pkgs, ... }:
{
  home.packages = [
    pkgs.gimp
    pkgs.inkscape
  ];
}
