//! A large synthetic catalogue, written fast: rows built in memory with explicit ids and
//! inserted in multi-row statements inside one transaction, then the roll-ups (lowest price,
//! safety score) computed by the API's own code so every ordering sees the new clinics.

use std::time::Instant;

use chrono::{Days, NaiveDate, Utc};
use entity::{accreditations, certificates_of_analysis as coa, coa_markers, doctors};
use medtour::catalogue::vocab::ClinicStatus;
use medtour::catalogue::write::{ClinicDraft, PackageDraft, refresh_derived};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Set, Statement, TransactionTrait,
};
use serde_json::json;

/// How big a catalogue to generate.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    pub clinics: usize,
    pub packages_per_clinic: usize,
    pub certificates_per_clinic: usize,
    pub doctors_per_clinic: usize,
    pub accreditations_per_clinic: usize,
}

/// Ten countries, the article's five first, so a filter on three of them keeps ~30 %.
pub const COUNTRIES: [&str; 10] = ["MX", "CO", "TH", "DE", "US", "PA", "CR", "TR", "IN", "ES"];
const SOURCES: [&str; 3] = ["UMBILICAL_CORD_MSC", "ADIPOSE_MSC", "BONE_MARROW_MSC"];
const BODIES: [&str; 6] = ["JCI", "COFEPRIS", "NATIONAL_HEALTH_AUTHORITY", "ISO_9001", "AABB", "TEMOS"];
const CELLS: [i32; 5] = [25, 50, 100, 200, 250];
const MARKERS: [(&str, f64); 8] = [
    ("CD73", 97.0),
    ("CD90", 98.0),
    ("CD105", 96.0),
    ("CD34", 0.8),
    ("CD45", 0.9),
    ("CD14", 0.5),
    ("CD19", 0.3),
    ("HLA-DR", 1.0),
];

/// A small deterministic generator (SplitMix64), so every run builds the same catalogue.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// The next free id of `table`.
async fn next_id(db: &impl ConnectionTrait, table: &str) -> anyhow::Result<i32> {
    let sql = format!("SELECT COALESCE(MAX(id), 0) AS m FROM {table}");
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await?;
    Ok(row.map(|r| r.try_get::<i32>("", "m")).transpose()?.unwrap_or(0) + 1)
}

/// Inserts `rows` in multi-row statements of at most `chunk` rows.
async fn insert_chunked<A>(txn: &impl ConnectionTrait, rows: Vec<A>, chunk: usize) -> anyhow::Result<()>
where
    A: ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<A> = rows.by_ref().take(chunk).collect();
        A::Entity::insert_many(batch).exec_without_returning(txn).await?;
    }
    Ok(())
}

fn day(today: NaiveDate, offset: i64) -> NaiveDate {
    if offset < 0 { today - Days::new(offset.unsigned_abs()) } else { today + Days::new(offset as u64) }
}

/// What was generated, for the report.
#[derive(Debug, Default)]
pub struct Generated {
    pub clinics: usize,
    pub packages: usize,
    pub certificates: usize,
    pub markers: usize,
    pub doctors: usize,
    pub accreditations: usize,
    pub insert_seconds: f64,
    pub rollup_seconds: f64,
}

/// Writes a catalogue of `scale` beside whatever `db` holds (the demo data), and computes
/// the new clinics' roll-ups.
pub async fn catalogue(db: &DatabaseConnection, scale: Scale, treatments: (i32, i32)) -> anyhow::Result<Generated> {
    let started = Instant::now();
    let mut rng = Rng::new(0x5EED);
    let today = Utc::now().date_naive();
    let now = Utc::now();
    let txn = db.begin().await?;
    let first = [
        next_id(&txn, "clinics").await?,
        next_id(&txn, "doctors").await?,
        next_id(&txn, "accreditations").await?,
        next_id(&txn, "certificates_of_analysis").await?,
        next_id(&txn, "coa_markers").await?,
        next_id(&txn, "treatment_packages").await?,
    ];
    let [mut clinic_id, mut doctor_id, mut accreditation_id, mut certificate_id, mut marker_id, mut package_id] = first;
    let mut report = Generated::default();
    let mut clinic_ids = Vec::with_capacity(scale.clinics);

    // Clinics go in slices so memory stays modest and each slice's children follow it.
    for slice in (0..scale.clinics).collect::<Vec<_>>().chunks(1_000) {
        let (mut c, mut d, mut a, mut k, mut m, mut p) = (vec![], vec![], vec![], vec![], vec![], vec![]);
        for &i in slice {
            let country = rng.pick(&COUNTRIES);
            let description = if rng.chance(3) {
                "Guaranteed relief with our regenerative protocol."
            } else {
                "Outpatient regenerative medicine clinic; plans follow a specialist's review."
            };
            let name = format!("{} Cell Clinic {i:05}", ["Alpha", "Beta", "Gamma", "Delta", "Sigma"][i % 5]);
            let city = format!("City {}", rng.below(50));
            let draft = ClinicDraft {
                slug: format!("bench-clinic-{i:05}"),
                name,
                country_code: country.into(),
                city,
                description: description.into(),
                website: None,
                languages: vec!["en".into()],
                status: if rng.chance(97) { ClinicStatus::Published } else { ClinicStatus::Draft },
            };
            let mut row = draft.row(now);
            row.id = Set(clinic_id);
            c.push(row);
            for j in 0..scale.doctors_per_clinic {
                d.push(doctors::ActiveModel {
                    id: Set(doctor_id),
                    clinic_id: Set(clinic_id),
                    name: Set(format!("Dr. Bench {i}-{j}")),
                    title: Set("Neurologist".into()),
                    license_number: Set(rng.chance(90).then(|| format!("LIC-{i}-{j}"))),
                    years_of_experience: Set(Some(rng.below(30) as i32)),
                    specialties: Set(json!(["Neurology"])),
                    version: Set(1),
                });
                doctor_id += 1;
            }
            for j in 0..scale.accreditations_per_clinic {
                let status = match rng.below(100) {
                    0..80 => "VERIFIED",
                    80..95 => "UNVERIFIED",
                    _ => "REJECTED",
                };
                let expires = if rng.chance(90) { 30 + rng.below(900) as i64 } else { -(1 + rng.below(300) as i64) };
                a.push(accreditations::ActiveModel {
                    id: Set(accreditation_id),
                    clinic_id: Set(clinic_id),
                    body: Set(rng.pick(&BODIES).into()),
                    body_name: Set("Accreditation body".into()),
                    certificate_number: Set(format!("ACC-{i}-{j}")),
                    issued_on: Set(Some(day(today, -1000))),
                    expires_on: Set(Some(day(today, expires))),
                    status: Set(status.into()),
                    version: Set(1),
                    verified_at: Set(None),
                    verified_by: Set(None),
                });
                accreditation_id += 1;
            }
            for j in 0..scale.certificates_per_clinic {
                k.push(coa::ActiveModel {
                    id: Set(certificate_id),
                    clinic_id: Set(clinic_id),
                    lot_number: Set(format!("LOT-{i}-{j}")),
                    laboratory_name: Set("Bench Cell Laboratory".into()),
                    laboratory_accreditation: Set(Some("ISO/IEC 17025".into())),
                    issued_on: Set(day(today, -(5 + rng.below(500) as i64))),
                    cell_source: Set(rng.pick(&SOURCES).into()),
                    cell_count_millions: Set(rng.pick(&CELLS)),
                    viability_percent: Set(60.0 + rng.below(390) as f64 / 10.0),
                    sterility: Set(if rng.chance(95) { "PASS" } else { "FAIL" }.into()),
                    endotoxin: Set("PASS".into()),
                    mycoplasma: Set("PASS".into()),
                    document_url: Set(None),
                    document_sha256: Set(None),
                    status: Set(if rng.chance(90) { "VERIFIED" } else { "UNVERIFIED" }.into()),
                    version: Set(1),
                    verified_at: Set(None),
                    verified_by: Set(None),
                });
                for (marker, percent) in MARKERS {
                    m.push(coa_markers::ActiveModel {
                        id: Set(marker_id),
                        certificate_id: Set(certificate_id),
                        marker: Set(marker.into()),
                        percent_positive: Set(percent),
                    });
                    marker_id += 1;
                }
                certificate_id += 1;
            }
            for j in 0..scale.packages_per_clinic {
                let cells = rng.pick(&CELLS);
                let cents = (2_500 + i64::from(cells) * 60 + rng.below(15_000) as i64) * 100;
                let draft = PackageDraft {
                    clinic_id,
                    treatment_id: if rng.chance(70) { treatments.0 } else { treatments.1 },
                    name: format!("Package {j}: {cells} million cells"),
                    cell_source: rng.pick(&SOURCES).into(),
                    cell_count_millions: cells,
                    administration_routes: vec!["INTRAVENOUS".into()],
                    sessions: 1 + rng.below(3) as i32,
                    stay_days: rng.below(7) as i32,
                    price_minor: cents,
                    currency_code: "USD".into(),
                    inclusions: ["Hotel", "Airport transfers", "Pre-treatment bloodwork"].map(String::from).to_vec(),
                    active: rng.chance(90),
                };
                let mut row = draft.row()?;
                row.id = Set(package_id);
                p.push(row);
                package_id += 1;
            }
            clinic_ids.push(clinic_id);
            clinic_id += 1;
        }
        report.clinics += c.len();
        report.doctors += d.len();
        report.accreditations += a.len();
        report.certificates += k.len();
        report.markers += m.len();
        report.packages += p.len();
        // Row counts per statement stay under SQLite's 32766 bound parameters.
        insert_chunked(&txn, c, 1_000).await?;
        insert_chunked(&txn, d, 2_000).await?;
        insert_chunked(&txn, a, 2_000).await?;
        insert_chunked(&txn, k, 1_500).await?;
        insert_chunked(&txn, m, 5_000).await?;
        insert_chunked(&txn, p, 1_500).await?;
    }
    if txn.get_database_backend() == DbBackend::Postgres {
        // Explicit ids leave the serial sequences behind; move them past the new rows.
        for table in
            ["clinics", "doctors", "accreditations", "certificates_of_analysis", "coa_markers", "treatment_packages"]
        {
            txn.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .await?;
        }
    }
    txn.commit().await?;
    report.insert_seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    for chunk in clinic_ids.chunks(1_000) {
        // One transaction per chunk: a commit per clinic would cost SQLite a sync each.
        let txn = db.begin().await?;
        refresh_derived(&txn, chunk, Utc::now()).await?;
        txn.commit().await?;
    }
    report.rollup_seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
