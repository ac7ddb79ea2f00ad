//! The sandbox shared by many tasks: one lock around the engine, and durability awaited
//! *outside* it, so concurrent callers share the store's group commits.

use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::engine::{Ack, EngineError, Sandbox};
use crate::store::{Durable, StoreError};

/// A [`Sandbox`] for concurrent use. Commands run one at a time under the lock (so a cart
/// changed from many tasks never passes 99 and loses no update); each caller then waits for its
/// own command to be durable before hearing yes.
pub struct SharedSandbox {
    inner: Mutex<Sandbox>,
}

impl SharedSandbox {
    /// Shares a sandbox.
    pub fn new(sandbox: Sandbox) -> Self {
        SharedSandbox {
            inner: Mutex::new(sandbox),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Sandbox> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs a command under the lock; answers its value and what to wait on, outside the lock.
    fn submit<T>(
        &self,
        f: impl FnOnce(&mut Sandbox) -> Result<Ack<T>, EngineError>,
    ) -> Result<(T, Option<Durable>), EngineError> {
        let mut sb = self.lock();
        let ack = f(&mut sb)?;
        let durable = ack.seq.map(|seq| sb.store().durable(seq));
        Ok((ack.value, durable))
    }

    /// The value once durable; a failed write stops the sandbox taking commands.
    fn settle<T>(&self, value: T, written: Result<(), StoreError>) -> Result<T, EngineError> {
        written.map(|()| value).map_err(|e| {
            self.lock().fail(e.clone());
            e.into()
        })
    }

    /// Runs a command and resolves once it is durable.
    ///
    /// # Errors
    /// The command's refusal, or [`EngineError::Store`] when the write failed.
    pub async fn run<T>(
        &self,
        f: impl FnOnce(&mut Sandbox) -> Result<Ack<T>, EngineError>,
    ) -> Result<T, EngineError> {
        match self.submit(f)? {
            (value, Some(durable)) => self.settle(value, durable.await),
            (value, None) => Ok(value),
        }
    }

    /// Runs a command and blocks until it is durable.
    ///
    /// # Errors
    /// The command's refusal, or [`EngineError::Store`] when the write failed.
    pub fn run_blocking<T>(
        &self,
        f: impl FnOnce(&mut Sandbox) -> Result<Ack<T>, EngineError>,
    ) -> Result<T, EngineError> {
        match self.submit(f)? {
            (value, Some(durable)) => self.settle(value, durable.wait()),
            (value, None) => Ok(value),
        }
    }

    /// Reads (or advances time in) the sandbox under the lock.
    pub fn read<T>(&self, f: impl FnOnce(&mut Sandbox) -> T) -> T {
        f(&mut self.lock())
    }
}
