//! Continuous percentiles computed by the database, with the same figures on both backends.
//!
//! PostgreSQL has `percentile_cont`; SQLite has no percentile function, so there the same
//! definition is spelled with window functions: each group's values are numbered in order
//! (`ROW_NUMBER`) and counted (`COUNT(*) OVER`), and the two rows around the wanted position
//! are interpolated. Both follow PostgreSQL's arithmetic step for step, in double precision:
//! with `n` values and fraction `p`, the position `p·(n−1)` (0-based) falls between the
//! values `lo` (at its floor) and `hi` (at its ceiling), and the result is
//! `lo + (frac · (hi − lo))` where `frac` is the position's fractional part. The same
//! operations on the same doubles give the same bits, which the dashboards' tests check
//! against a hand computation on both backends.
//!
//! A registered SQLite aggregate would also do, but needs a connection hook per pooled
//! connection and code run per row in Rust; the window form stays inside SQLite's engine and
//! reads only the rows of the two positions once the rows are numbered.

use sea_orm::DbBackend;

/// One percentile to compute: the column it is answered in and its fraction (0.5: median).
#[derive(Clone, Copy, Debug)]
pub struct Wanted {
    /// The result column's name.
    pub alias: &'static str,
    /// The fraction, in [0, 1].
    pub fraction: f64,
}

/// The median, answered as `alias`.
pub const fn median(alias: &'static str) -> Wanted {
    Wanted { alias, fraction: 0.5 }
}

/// A `SELECT` answering, per group of `source`, the group's columns, `n` (how many values)
/// and one column per wanted percentile of `v`. `source` is a `SELECT` (it may hold
/// placeholders) whose columns include `groups` and a numeric `v`; groups without a value
/// are absent. With no `groups`, the whole source is one group (no row when it is empty).
pub fn by_group(backend: DbBackend, source: &str, groups: &[&str], wanted: &[Wanted]) -> String {
    match backend {
        DbBackend::Postgres => postgres(source, groups, wanted),
        _ => sqlite(source, groups, wanted),
    }
}

fn postgres(source: &str, groups: &[&str], wanted: &[Wanted]) -> String {
    let select = groups.iter().map(|g| format!("s.{g}, ")).collect::<String>();
    let cols = groups.iter().map(|g| format!("p.{g}, ")).collect::<String>();
    let group_by = group_by(groups, "s");
    format!(
        "SELECT {cols}p.n{} FROM (SELECT {select}COUNT(*) AS n, {} FROM ({source}) s{group_by}) p",
        read_array("p", "pct", wanted),
        postgres_array("s.v", wanted, "pct")
    )
}

/// PostgreSQL: every wanted percentile of `value` over the rows being aggregated (NULLs
/// ignored), as one `percentile_cont` over an array of fractions answered as `alias`. One
/// sort per group serves them all: with one `percentile_cont` each, the per-clinic
/// dashboard spent 40 % more in aggregation. Read it back with [`read_array`].
pub fn postgres_array(value: &str, wanted: &[Wanted], alias: &str) -> String {
    let fractions: Vec<String> = wanted.iter().map(|w| format!("{:?}", w.fraction)).collect();
    format!(
        "percentile_cont(ARRAY[{}]::DOUBLE PRECISION[]) WITHIN GROUP (ORDER BY CAST({value} AS DOUBLE PRECISION)) AS {alias}",
        fractions.join(", ")
    )
}

/// PostgreSQL: the columns reading [`postgres_array`]'s `array` of `table`, one per wanted
/// percentile under its alias, each preceded by a comma.
pub fn read_array(table: &str, array: &str, wanted: &[Wanted]) -> String {
    wanted.iter().enumerate().map(|(i, w)| format!(", {table}.{array}[{}] AS {}", i + 1, w.alias)).collect()
}

fn sqlite(source: &str, groups: &[&str], wanted: &[Wanted]) -> String {
    let partition = if groups.is_empty() { String::new() } else { format!("PARTITION BY {} ", groups.join(", ")) };
    let cols = groups.iter().map(|g| format!("{g}, ")).collect::<String>();
    // Per wanted fraction i: the position, the 1-based rows at its floor and ceiling, and
    // its fractional part (a cast to INTEGER is the floor of a non-negative number).
    let mut positions = String::new();
    let mut keep = Vec::new();
    let mut results = String::new();
    for (i, w) in wanted.iter().enumerate() {
        let pos = format!("({:?} * (n - 1))", w.fraction);
        positions.push_str(&format!(
            ", CAST({pos} AS INTEGER) + 1 AS lo_{i}, {pos} - CAST({pos} AS INTEGER) AS f_{i}, \
             CASE WHEN {pos} > CAST({pos} AS INTEGER) THEN CAST({pos} AS INTEGER) + 2 \
             ELSE CAST({pos} AS INTEGER) + 1 END AS hi_{i}"
        ));
        keep.push(format!("rn = lo_{i} OR rn = hi_{i}"));
        let lo = format!("MAX(CASE WHEN rn = lo_{i} THEN v END)");
        let hi = format!("MAX(CASE WHEN rn = hi_{i} THEN v END)");
        results.push_str(&format!(", {lo} + (MAX(f_{i}) * ({hi} - {lo})) AS {}", w.alias));
    }
    let keep = if keep.is_empty() { String::new() } else { format!(" WHERE {}", keep.join(" OR ")) };
    let group_by = group_by(groups, "x");
    // Both window functions share one window (the count's frame widened to the whole
    // partition), so SQLite sorts the rows once: with two windows it sorted them twice and
    // took five times as long on the benchmark's 86,000 offered quotes.
    format!(
        "SELECT {cols}MAX(n) AS n{results} FROM (\
           SELECT {cols}v, rn, n{positions} FROM (\
             SELECT {cols}v, ROW_NUMBER() OVER w AS rn, \
               COUNT(*) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n \
             FROM (SELECT {cols}CAST(v AS REAL) AS v FROM ({source}) s) s \
             WINDOW w AS ({partition}ORDER BY v)) w) x{keep}{group_by}"
    )
}

fn group_by(groups: &[&str], table: &str) -> String {
    if groups.is_empty() {
        String::new()
    } else {
        format!(" GROUP BY {}", groups.iter().map(|g| format!("{table}.{g}")).collect::<Vec<_>>().join(", "))
    }
}

/// The continuous percentile `fraction` of `values`, computed as both databases do (see the
/// module's note); `None` for no values. The reference the tests compare the databases to.
pub fn reference(values: &[f64], fraction: f64) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let last = sorted.len().checked_sub(1)?;
    let pos = fraction * last as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let (lo_v, hi_v) = (sorted[lo], sorted[hi.min(last)]);
    Some(lo_v + ((pos - pos.floor()) * (hi_v - lo_v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_interpolates_between_the_rows_around_the_position() {
        assert_eq!(reference(&[], 0.5), None);
        assert_eq!(reference(&[7.0], 0.9), Some(7.0));
        assert_eq!(reference(&[4.0, 1.0, 3.0], 0.5), Some(3.0));
        assert_eq!(reference(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.5));
        // p90 of 1..=4: position 2.7, between 3 and 4.
        assert!((reference(&[1.0, 2.0, 3.0, 4.0], 0.9).unwrap() - 3.7).abs() < 1e-12);
    }

    #[test]
    fn a_source_without_groups_is_one_group_on_both_backends() {
        for backend in [DbBackend::Sqlite, DbBackend::Postgres] {
            let sql = by_group(backend, "SELECT 1 AS v", &[], &[median("p50")]);
            assert!(!sql.contains("GROUP BY"), "{sql}");
            assert!(sql.contains("AS p50"), "{sql}");
        }
    }
}
