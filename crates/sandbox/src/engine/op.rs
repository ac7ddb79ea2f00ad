//! What every command family implements: an operation with its arguments, its execution and
//! its typed answer. The log format (`command.rs`) names the operations; the operations know
//! nothing of it.

use super::EngineError;
use super::state::State;

/// One operation on the state: its arguments are the command, [`Op::exec`] its execution, and
/// [`Op::Output`] the answer its caller gets.
pub(crate) trait Op {
    /// What the caller hears when it succeeds.
    type Output;

    /// Runs it at `at` (ms). On error nothing changed.
    fn exec(&self, state: &mut State, at: u64) -> Result<Self::Output, EngineError>;
}
