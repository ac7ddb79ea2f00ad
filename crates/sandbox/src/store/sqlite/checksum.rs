//! The store's checksum: FNV-1a (64 bits), chained over the log's records and taken over each
//! snapshot file, and its form in SQLite.

/// The running checksum: FNV-1a (64 bits) over the previous checksum, the sequence number and
/// the record's bytes.
pub(super) fn chain_next(prev: u64, seq: u64, record: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in prev
        .to_le_bytes()
        .iter()
        .chain(seq.to_le_bytes().iter())
        .chain(record)
    {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Checksums are stored as SQLite integers (signed): the same 64 bits.
pub(super) fn chain_to_sql(c: u64) -> i64 {
    i64::from_le_bytes(c.to_le_bytes())
}

pub(super) fn chain_from_sql(c: i64) -> u64 {
    u64::from_le_bytes(c.to_le_bytes())
}
