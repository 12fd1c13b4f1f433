//! What treatments cost once offered: the median offer per clinic country and cell-count
//! band, in USD, in one statement.
//!
//! Offers are made in any of the API's currencies, but the platform has no exchange-rate
//! source yet (the catalogue itself holds USD prices only), so only offers made in USD are
//! counted; the band's `offers` says how many were.

use sea_orm::DatabaseConnection;

use super::range::Range;
use super::sql;
use crate::error::ServiceResult;
use crate::percentile::{Measure, by_group, median};

/// The cell-count bands, as (lowest, highest) million cells; `None`: no upper bound.
pub const BANDS: [(i32, Option<i32>); 4] = [(1, Some(50)), (51, Some(100)), (101, Some(200)), (201, None)];

/// One band's offers in one country.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceBand {
    pub country_code: String,
    pub min_cells: i32,
    pub max_cells: Option<i32>,
    pub offers: i64,
    /// The median offered price in US cents, rounded to the cent.
    pub median_cents: i64,
}

/// The SQL naming each offer's band by its lowest cell count.
fn band_of(column: &str) -> String {
    let mut sql = String::from("CASE");
    for (min, max) in BANDS {
        match max {
            Some(max) => sql.push_str(&format!(" WHEN {column} <= {max} THEN {min}")),
            None => sql.push_str(&format!(" ELSE {min}")),
        }
    }
    sql.push_str(" END");
    sql
}

/// The median USD offer of the range's offered quotes, per clinic country and band, by
/// country then band; empty bands are absent.
pub async fn offered_prices(db: &DatabaseConnection, range: &Range) -> ServiceResult<Vec<PriceBand>> {
    let backend = db.get_database_backend();
    // The offers carry their quote's creation instant and clinic, so the range's offers
    // are read from their own index (`ix_quote_offers_range`); an offer exists only once
    // its quote was offered.
    let offers = format!(
        "SELECT c.country_code, {} AS band, o.price_minor AS v \
         FROM quote_offers o JOIN clinics c ON c.id = o.clinic_id \
         WHERE o.quote_created_at >= $1 AND o.quote_created_at < $2 AND o.currency_code = 'USD'",
        band_of("o.cell_count_millions")
    );
    let cents = Measure { column: "v", unit: 1 };
    let medians = by_group(backend, &offers, &["country_code", "band"], cents, &[median("p50")]);
    let sql = format!("SELECT m.* FROM ({medians}) m ORDER BY m.country_code, m.band");
    let rows = sql::rows(db, &sql, sql::range_values(range)).await?;
    rows.iter()
        .map(|r| {
            let min: i32 = r.try_get("", "band")?;
            let median: f64 = r.try_get("", "p50")?;
            Ok(PriceBand {
                country_code: r.try_get("", "country_code")?,
                min_cells: min,
                max_cells: BANDS.iter().find(|(lo, _)| *lo == min).and_then(|(_, hi)| *hi),
                offers: r.try_get("", "n")?,
                // Half a cent (the median of an even count) rounds away from zero.
                median_cents: median.round() as i64,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_every_cell_count_in_order() {
        assert_eq!(band_of("x"), "CASE WHEN x <= 50 THEN 1 WHEN x <= 100 THEN 51 WHEN x <= 200 THEN 101 ELSE 201 END");
        for pair in BANDS.windows(2) {
            assert_eq!(pair[0].1.map(|max| max + 1), Some(pair[1].0));
        }
    }
}
