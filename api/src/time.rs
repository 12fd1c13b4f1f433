//! The one clock of the service.

use chrono::{DateTime, SubsecRound, Utc};

/// Now, to the microsecond: the precision PostgreSQL keeps, so a timestamp read back (and a
/// keyset cursor built from it) compares equal to the one written on both backends.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
