/**
 * A tombstone's bytes: the LZ4 frame of nothing as python-lz4 (HoLcStore) writes it. Magic,
 * FLG 0x60 (version 1, independent blocks; no content size, as LZ4F leaves a zero size out), BD
 * 0x40 (64 KB blocks), header checksum 0x82 (byte 1 of XXH32 of FLG..BD), then the end mark.
 * A pull writes it for tombstones that arrive without bytes.
 */
export const EMPTY_LZ4_FRAME: Uint8Array = Uint8Array.of(0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, 0, 0, 0, 0);
