//! A small blocking connection pool shared by both backends.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

use crate::kernel::db::DbError;

/// What the pool needs to know about a connection.
pub trait Poolable: Send + 'static {
    /// A connection that has failed for good is dropped instead of returned.
    fn is_broken(&self) -> bool;
}

type Factory<C> = Box<dyn Fn() -> Result<C, DbError> + Send + Sync>;

struct Inner<C> {
    idle: Mutex<(Vec<C>, usize)>,
    available: Condvar,
    max: usize,
    timeout: Duration,
    make: Factory<C>,
}

/// Up to `max` connections, made on demand.
pub struct Pool<C> {
    inner: Arc<Inner<C>>,
}

impl<C> Clone for Pool<C> {
    fn clone(&self) -> Self {
        Self { inner: self.inner.clone() }
    }
}

impl<C: Poolable> Pool<C> {
    pub fn new(max: usize, timeout: Duration, make: impl Fn() -> Result<C, DbError> + Send + Sync + 'static) -> Self {
        assert!(max > 0);
        Self { inner: Arc::new(Inner { idle: Mutex::new((Vec::new(), 0)), available: Condvar::new(), max, timeout, make: Box::new(make) }) }
    }

    /// Takes an idle connection, makes a new one, or waits for one to be returned.
    pub fn get(&self) -> Result<Pooled<C>, DbError> {
        let mut guard = self.inner.idle.lock();
        loop {
            if let Some(c) = guard.0.pop() {
                return Ok(Pooled { conn: Some(c), pool: self.inner.clone() });
            }
            if guard.1 < self.inner.max {
                guard.1 += 1;
                drop(guard);
                return match (self.inner.make)() {
                    Ok(c) => Ok(Pooled { conn: Some(c), pool: self.inner.clone() }),
                    Err(e) => {
                        self.inner.idle.lock().1 -= 1;
                        self.inner.available.notify_one();
                        Err(e)
                    }
                };
            }
            if self.inner.available.wait_for(&mut guard, self.inner.timeout).timed_out() && guard.0.is_empty() {
                return Err(DbError::Unavailable(format!("no free database connection within {:?}", self.inner.timeout)));
            }
        }
    }

    /// Drops every idle connection (on shutdown).
    pub fn close_idle(&self) {
        let mut guard = self.inner.idle.lock();
        let n = guard.0.len();
        guard.0.clear();
        guard.1 -= n;
    }
}

/// A connection on loan; goes back to the pool when dropped.
pub struct Pooled<C: Poolable> {
    conn: Option<C>,
    pool: Arc<Inner<C>>,
}

impl<C: Poolable> std::ops::Deref for Pooled<C> {
    type Target = C;
    fn deref(&self) -> &C {
        self.conn.as_ref().expect("present until drop")
    }
}

impl<C: Poolable> std::ops::DerefMut for Pooled<C> {
    fn deref_mut(&mut self) -> &mut C {
        self.conn.as_mut().expect("present until drop")
    }
}

impl<C: Poolable> Drop for Pooled<C> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            let mut guard = self.pool.idle.lock();
            if c.is_broken() {
                guard.1 -= 1;
            } else {
                guard.0.push(c);
            }
            drop(guard);
            self.pool.available.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Fake(bool);
    impl Poolable for Fake {
        fn is_broken(&self) -> bool {
            self.0
        }
    }

    #[test]
    fn reuses_connections_and_waits_when_full() {
        let made = Arc::new(AtomicUsize::new(0));
        let m = made.clone();
        let pool = Pool::new(2, Duration::from_millis(50), move || {
            m.fetch_add(1, Ordering::SeqCst);
            Ok(Fake(false))
        });
        let a = pool.get().unwrap();
        let b = pool.get().unwrap();
        assert!(matches!(pool.get(), Err(DbError::Unavailable(_))));
        drop(a);
        let _c = pool.get().unwrap();
        drop(b);
        assert_eq!(made.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn broken_connections_are_replaced() {
        let pool = Pool::new(1, Duration::from_millis(50), || Ok(Fake(false)));
        let mut a = pool.get().unwrap();
        a.0 = true;
        drop(a);
        assert!(!pool.get().unwrap().0);
    }
}
