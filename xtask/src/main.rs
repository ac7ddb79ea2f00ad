//! Project automation. `cargo xtask codegen [--check]`, `cargo xtask ci`.
fn main() {}
