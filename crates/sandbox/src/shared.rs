//! The sandbox shared by many tasks: one lock around the engine, and durability awaited
//! *outside* it, so concurrent callers share the store's group commits.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock};

use crate::engine::{Ack, EngineError, Sandbox};
use crate::store::{Durable, StoreError};

/// A [`Sandbox`] for concurrent use. Commands run one at a time under the lock (so a cart
/// changed from many tasks never passes 99 and loses no update); each caller then waits for its
/// own command to be durable before hearing yes.
pub struct SharedSandbox {
    inner: Mutex<Sandbox>,
    /// Told each new [`Sandbox::version`], outside the lock.
    watchers: RwLock<Vec<Watcher>>,
    /// The latest version the watchers were told.
    told: AtomicU64,
}

/// A function told of changes.
type Watcher = Box<dyn Fn(u64) + Send + Sync>;

impl SharedSandbox {
    /// Shares a sandbox.
    pub fn new(sandbox: Sandbox) -> Self {
        let told = AtomicU64::new(sandbox.version());
        SharedSandbox {
            inner: Mutex::new(sandbox),
            watchers: RwLock::new(Vec::new()),
            told,
        }
    }

    /// Calls `f` with the new [`Sandbox::version`] whenever something a viewer could see has
    /// changed: after a command is durable, after history was written, after time moved a
    /// status. Called outside the lock, on the caller's thread; a burst may be told once.
    /// `f` must be quick and must not call back into the sandbox.
    pub fn watch(&self, f: impl Fn(u64) + Send + Sync + 'static) {
        self.watchers
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Box::new(f));
    }

    /// Tells the watchers of `version` unless they heard of it already.
    fn tell(&self, version: u64) {
        if self.told.fetch_max(version, Ordering::AcqRel) < version {
            for w in self
                .watchers
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
            {
                w(version);
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Sandbox> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs a command under the lock; answers its value and what to wait on, outside the lock.
    fn submit<T>(
        &self,
        f: impl FnOnce(&mut Sandbox) -> Result<Ack<T>, EngineError>,
    ) -> Result<(T, Option<Durable>, u64), EngineError> {
        let mut sb = self.lock();
        let done = f(&mut sb).map(|ack| {
            let durable = ack.seq.map(|seq| sb.store().durable(seq));
            (ack.value, durable)
        });
        let version = sb.version();
        drop(sb);
        match done {
            Ok((value, durable)) => Ok((value, durable, version)),
            Err(e) => {
                // A refused command changed nothing, but time may have moved before it.
                self.tell(version);
                Err(e)
            }
        }
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
        let (value, durable, version) = self.submit(f)?;
        let value = match durable {
            Some(durable) => self.settle(value, durable.await)?,
            None => value,
        };
        self.tell(version);
        Ok(value)
    }

    /// Runs a command and blocks until it is durable.
    ///
    /// # Errors
    /// The command's refusal, or [`EngineError::Store`] when the write failed.
    pub fn run_blocking<T>(
        &self,
        f: impl FnOnce(&mut Sandbox) -> Result<Ack<T>, EngineError>,
    ) -> Result<T, EngineError> {
        let (value, durable, version) = self.submit(f)?;
        let value = match durable {
            Some(durable) => self.settle(value, durable.wait())?,
            None => value,
        };
        self.tell(version);
        Ok(value)
    }

    /// Reads (or advances time in) the sandbox under the lock.
    pub fn read<T>(&self, f: impl FnOnce(&mut Sandbox) -> T) -> T {
        let (value, version) = {
            let mut sb = self.lock();
            let value = f(&mut sb);
            (value, sb.version())
        };
        self.tell(version);
        value
    }
}
