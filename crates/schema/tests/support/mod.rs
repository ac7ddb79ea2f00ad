//! What the property tests share.

use proptest::prelude::*;

/// Text of min..=max characters, mixing ASCII, accents and emoji (multi-byte).
pub fn text(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just('a'),
            Just('Z'),
            Just(' '),
            Just('é'),
            Just('🛒'),
            Just('中')
        ],
        min..=max,
    )
    .prop_map(|cs| cs.into_iter().collect())
}
