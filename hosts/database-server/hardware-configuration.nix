# Proxmox VM hardware: virtio disk and NIC, QEMU guest agent, UEFI (OVMF) firmware.
# Create the VM with BIOS "OVMF (UEFI)", a virtio-scsi disk, and label the partitions
# "nixos" (ext4) and "boot" (FAT32) when installing; see docs/Homelab-Guide.md.
{ modulesPath, ... }:
{
  imports = [ (modulesPath + "/profiles/qemu-guest.nix") ];

  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;
  boot.initrd.availableKernelModules = [
    "ahci"
    "xhci_pci"
    "virtio_pci"
    "virtio_scsi"
    "sd_mod"
    "sr_mod"
  ];

  # By label, not UUID: a VM cloned from a template keeps working.
  fileSystems."/" = {
    device = "/dev/disk/by-label/nixos";
    fsType = "ext4";
  };
  fileSystems."/boot" = {
    device = "/dev/disk/by-label/boot";
    fsType = "vfat";
    options = [
      "fmask=0077"
      "dmask=0077"
    ];
  };

  # Lets Proxmox shut the VM down cleanly and show its IP addresses.
  services.qemuGuest.enable = true;
}
