// --hardware: how the machine runs, apart from what it is (--type). Picks the hardware file and
// the disk layout (hosts/<name>/disko.nix) the generator writes; checks the disk flags.
import { GeneratorInputError } from '../shared/names';
import type { HostGeneratorSchema } from './schema';

export const HARDWARE_KINDS = ['qemu-vm', 'generated', 'placeholder'] as const;
export type HardwareKind = (typeof HARDWARE_KINDS)[number];
export const FILESYSTEMS = ['ext4', 'btrfs'] as const;
export type Filesystem = (typeof FILESYSTEMS)[number];

export interface Hardware {
  kind: HardwareKind;
  /** Absent for a placeholder: the disks are unknown until someone looks at the machine. */
  disko?: { disk: string; filesystem: Filesystem; encrypt: boolean; rootLabel: string; bootLabel: string };
}

/** A whole disk: /dev/<name> or a stable /dev/disk/by-*\/ link; nothing a shell or Nix string would expand. */
const DISK = /^\/dev\/(disk\/by-[a-z-]+\/)?[A-Za-z0-9][A-Za-z0-9_.:+-]*$/;
/** A GPT partition label (at most 36 characters) that also works as a filesystem label. */
const LABEL = /^[a-z0-9][a-z0-9_-]{0,10}$/;

export function normalizeHardware(options: HostGeneratorSchema): Hardware {
  const { type } = options;
  const kind = (options.hardware ?? (type === 'vm' ? 'qemu-vm' : 'placeholder')) as HardwareKind;
  if (!HARDWARE_KINDS.includes(kind)) {
    throw new GeneratorInputError(`Unknown --hardware "${options.hardware}". Use one of ${HARDWARE_KINDS.join(', ')}.`);
  }
  const diskFlags = (['disk', 'filesystem', 'encrypt', 'rootLabel', 'bootLabel'] as const).filter((f) => options[f] !== undefined && options[f] !== false);
  if (kind === 'placeholder') {
    if (diskFlags.length > 0) {
      const flag = diskFlags[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      throw new GeneratorInputError(`--${flag} describes the disk layout, which a --hardware=placeholder host does not have. Pass --hardware=generated or --hardware=qemu-vm.`);
    }
    return { kind };
  }
  if (type === 'vm' && kind !== 'qemu-vm') {
    throw new GeneratorInputError(`--type=vm is a QEMU guest; --hardware=${kind} does not fit it. Pass --type=server (or laptop, desktop) with --hardware=${kind}.`);
  }
  const filesystem = (options.filesystem ?? 'ext4') as Filesystem;
  if (!FILESYSTEMS.includes(filesystem)) {
    throw new GeneratorInputError(`Unknown --filesystem "${options.filesystem}". Use one of ${FILESYSTEMS.join(', ')}.`);
  }
  const disk = options.disk ?? (kind === 'qemu-vm' ? '/dev/vda' : '/dev/sda');
  if (!DISK.test(disk)) {
    throw new GeneratorInputError(`Invalid --disk "${disk}": give the whole disk to install on, e.g. --disk=/dev/nvme0n1 or --disk=/dev/disk/by-id/ata-...`);
  }
  const label = (flag: string, value: string) => {
    if (!LABEL.test(value)) throw new GeneratorInputError(`Invalid --${flag} "${value}": use 1 to 11 lowercase letters, digits, "_" or "-" (a FAT label holds 11), e.g. --${flag}=nixos.`);
    return value;
  };
  const rootLabel = label('root-label', options.rootLabel ?? 'nixos');
  const bootLabel = label('boot-label', options.bootLabel ?? 'boot');
  if (rootLabel === bootLabel) throw new GeneratorInputError(`--root-label and --boot-label are both "${rootLabel}": give them different names.`);
  return { kind, disko: { disk, filesystem, encrypt: Boolean(options.encrypt), rootLabel, bootLabel } };
}

/** The hardware template folder under files/. */
export function hardwareTemplate(kind: HardwareKind): string {
  return { 'qemu-vm': 'hardware-vm', generated: 'hardware-generated', placeholder: 'hardware-placeholder' }[kind];
}
