//! Batched reads of everything nested under a clinic: one statement per relation per
//! request, however many clinics the page holds.
//!
//! One [`CatalogueLoader`] is created per request (so its cache never outlives the request)
//! and implements `Loader` once per relation, keyed by a newtype of the parent's id.
//!
//! async-graphql gathers keys for a batch during a short delay, and a long page can take
//! longer than that to ask for them all, so one relation may be asked for in several
//! batches. To keep the cost of a page independent of its size, a listing tells the loader
//! which clinics it is about to show ([`CatalogueLoader::expect_clinics`]): the first batch of
//! each relation reads them all, and later batches find their rows already read. A page of
//! clinics goes one step further and reads the lists its selection shows before it is
//! answered ([`CatalogueLoader::prefetch`]), so that its clinics are answered from memory.
//!
//! Treatments are a short list (one row per condition treated), read whole at most once per
//! request: a package's treatment and a `treatment:` slug argument then cost no statement of
//! their own, whichever stage of the request asks for them.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use entity::{accreditations, certificates_of_analysis as coa, coa_markers, doctors, treatment_packages, treatments};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use tokio::sync::OnceCell;

use super::response_time::ResponseTime;
use super::types::Treatment;
use crate::db::positional::ByPosition;
use crate::error::ServiceError;
use crate::time::Clock;

/// The per-request batch loader of the catalogue.
pub struct CatalogueLoader {
    pub(super) db: DatabaseConnection,
    /// The application's clock, for windows such as the last year's response times.
    clock: Clock,
    expected: Mutex<Vec<i32>>,
    treatments: OnceCell<Vec<treatments::Model>>,
    /// The treatments as the schema shows them, converted once: a page's two hundred
    /// packages share a handful of treatments, and converting one for each package copied its
    /// long texts every time.
    shown_treatments: std::sync::OnceLock<Vec<(i32, Treatment)>>,
    doctors: Memo<Rows<doctors::Model>>,
    accreditations: Memo<Rows<accreditations::Model>>,
    certificates: Memo<Rows<CertificateWithMarkers>>,
    packages: Memo<Rows<treatment_packages::Model>>,
    pub(super) response_times: Memo<Option<ResponseTime>>,
}

impl CatalogueLoader {
    /// A loader reading from `db`, judging time by `clock`.
    pub fn new(db: DatabaseConnection, clock: Clock) -> Self {
        Self {
            db,
            clock,
            expected: Mutex::default(),
            treatments: OnceCell::new(),
            shown_treatments: std::sync::OnceLock::new(),
            doctors: Memo::default(),
            accreditations: Memo::default(),
            certificates: Memo::default(),
            packages: Memo::default(),
            response_times: Memo::default(),
        }
    }

    /// Now, by the application's clock.
    pub(super) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Announces the clinics this request is about to show, so that the first batch of each
    /// relation reads all of them.
    pub fn expect_clinics(&self, ids: impl IntoIterator<Item = i32>) {
        if let Ok(mut expected) = self.expected.lock() {
            expected.extend(ids);
        }
    }

    pub(super) fn expected(&self) -> Vec<i32> {
        self.expected.lock().map(|e| e.clone()).unwrap_or_default()
    }

    /// The treatment with `id`, when this request has read the treatments already (every
    /// batch of packages does, so a package's treatment costs no second round of batching).
    pub fn read_treatment(&self, id: i32) -> Option<&Treatment> {
        let read = self.treatments.get()?;
        let shown = self.shown_treatments.get_or_init(|| read.iter().map(|t| (t.id, Treatment::from(t))).collect());
        shown.iter().find(|(row_id, _)| *row_id == id).map(|(_, treatment)| treatment)
    }

    /// Reads the nested lists `nested` names for every expected clinic at once, so that each
    /// clinic then finds its rows in memory and a page is answered in one synchronous walk
    /// (see `Plain for Clinic`) instead of a batch-loader future per clinic and list. The
    /// statements are those the batches would run: one per relation.
    pub async fn prefetch(&self, nested: Nested) -> Result<(), ServiceError> {
        let ids = self.expected();
        if ids.is_empty() {
            return Ok(());
        }
        futures::try_join!(
            self.load_all(nested.doctors, &ids, DoctorsOf),
            self.load_all(nested.accreditations, &ids, AccreditationsOf),
            self.load_all(nested.certificates, &ids, CertificatesOf),
            self.load_all(nested.packages, &ids, PackagesOf),
        )?;
        Ok(())
    }

    /// Reads relation `K` of the clinics `ids` when `wanted`.
    async fn load_all<K>(&self, wanted: bool, ids: &[i32], key: fn(i32) -> K) -> Result<(), ServiceError>
    where
        K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
        Self: Loader<K, Error = ServiceError>,
    {
        if wanted {
            Loader::<K>::load(self, &ids.iter().copied().map(key).collect::<Vec<_>>()).await?;
        }
        Ok(())
    }

    /// A clinic's doctors, when this request has read them already.
    pub(super) fn read_doctors(&self, clinic: i32) -> Option<Rows<doctors::Model>> {
        self.doctors.peek(clinic)
    }

    /// A clinic's accreditations, when this request has read them already.
    pub(super) fn read_accreditations(&self, clinic: i32) -> Option<Rows<accreditations::Model>> {
        self.accreditations.peek(clinic)
    }

    /// A clinic's certificates with their markers, when this request has read them already.
    pub(super) fn read_certificates(&self, clinic: i32) -> Option<Rows<CertificateWithMarkers>> {
        self.certificates.peek(clinic)
    }

    /// A clinic's active packages, when this request has read them already.
    pub(super) fn read_packages(&self, clinic: i32) -> Option<Rows<treatment_packages::Model>> {
        self.packages.peek(clinic)
    }

    /// Every treatment, read once for the loader's lifetime.
    async fn treatments(&self) -> Result<&[treatments::Model], ServiceError> {
        let all = self
            .treatments
            .get_or_try_init(|| async {
                treatments::Entity::find().order_by_asc(treatments::Column::Id).all(&self.db).await
            })
            .await?;
        Ok(all)
    }
}

/// Which of its clinics' nested lists a page shows (see [`CatalogueLoader::prefetch`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct Nested {
    pub doctors: bool,
    pub accreditations: bool,
    pub certificates: bool,
    pub packages: bool,
}

/// One clinic's rows of a relation, shared: the memo, the batch loader, the resolvers and
/// the checklist hand the same rows on without copying them (two copies of every row of a
/// page were 4 % of the server's samples under load).
pub type Rows<T> = Arc<[T]>;

/// What one relation has read so far, by clinic id. The lock is held while reading, so a
/// batch that arrives meanwhile waits and then finds its rows instead of reading them again.
pub(super) struct Memo<V>(tokio::sync::Mutex<HashMap<i32, V>>);

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Self(tokio::sync::Mutex::default())
    }
}

impl<V: Clone + Default> Memo<V> {
    /// The rows of `keys`: when some have not been read yet, `fetch` reads them together with
    /// every expected clinic not read yet, in one go.
    pub(super) async fn read<F, Fut>(
        &self,
        keys: &[i32],
        expected: Vec<i32>,
        fetch: F,
    ) -> Result<HashMap<i32, V>, ServiceError>
    where
        F: FnOnce(Vec<i32>) -> Fut,
        Fut: Future<Output = Result<HashMap<i32, V>, ServiceError>>,
    {
        let mut memo = self.0.lock().await;
        if keys.iter().any(|k| !memo.contains_key(k)) {
            let mut ids: Vec<i32> = keys.iter().copied().chain(expected).filter(|k| !memo.contains_key(k)).collect();
            ids.sort_unstable();
            ids.dedup();
            let mut fetched = fetch(ids.clone()).await?;
            for id in ids {
                memo.insert(id, fetched.remove(&id).unwrap_or_default());
            }
        }
        Ok(keys.iter().map(|k| (*k, memo.get(k).cloned().unwrap_or_default())).collect())
    }
}

impl<V: Clone> Memo<V> {
    /// What was read for `id`, without waiting: `None` before it is read, and while a read
    /// holds the lock.
    fn peek(&self, id: i32) -> Option<V> {
        self.0.try_lock().ok()?.get(&id).cloned()
    }
}

/// Doctors of a clinic (key: clinic id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DoctorsOf(pub i32);
/// Accreditations of a clinic (key: clinic id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AccreditationsOf(pub i32);
/// Certificates of analysis of a clinic with their markers, newest first (key: clinic id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CertificatesOf(pub i32);
/// Active packages of a clinic, cheapest first (key: clinic id), read with
/// [`package_rows`](super::package_rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PackagesOf(pub i32);
/// A treatment by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TreatmentById(pub i32);
/// A treatment by slug.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TreatmentBySlug(pub String);

/// A certificate with its marker results.
pub type CertificateWithMarkers = (coa::Model, Vec<coa_markers::Model>);

/// `rows` keyed by clinic, every clinic of `ids` present (empty when it has none).
pub(super) fn group<V>(ids: &[i32], rows: impl IntoIterator<Item = (i32, V)>) -> HashMap<i32, Rows<V>> {
    let mut map: HashMap<i32, Vec<V>> = ids.iter().map(|k| (*k, Vec::new())).collect();
    for (key, row) in rows {
        map.entry(key).or_default().push(row);
    }
    map.into_iter().map(|(key, rows)| (key, rows.into())).collect()
}

/// Re-keys a memo's answer with the loader's key type.
fn keyed<K: std::hash::Hash + Eq, V>(rows: HashMap<i32, V>, key: fn(i32) -> K) -> HashMap<K, V> {
    rows.into_iter().map(|(id, v)| (key(id), v)).collect()
}

impl Loader<DoctorsOf> for CatalogueLoader {
    type Value = Rows<doctors::Model>;
    type Error = ServiceError;

    async fn load(&self, keys: &[DoctorsOf]) -> Result<HashMap<DoctorsOf, Self::Value>, Self::Error> {
        let keys: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let rows = self
            .doctors
            .read(&keys, self.expected(), |ids| async move {
                let rows = doctors::Entity::find()
                    .filter(doctors::Column::ClinicId.is_in(ids.iter().copied()))
                    .order_by_asc(doctors::Column::Id)
                    .into_model::<ByPosition<doctors::Model>>()
                    .all(&self.db)
                    .await?;
                Ok(group(&ids, rows.into_iter().map(|ByPosition(r)| (r.clinic_id, r))))
            })
            .await?;
        Ok(keyed(rows, DoctorsOf))
    }
}

impl Loader<AccreditationsOf> for CatalogueLoader {
    type Value = Rows<accreditations::Model>;
    type Error = ServiceError;

    async fn load(&self, keys: &[AccreditationsOf]) -> Result<HashMap<AccreditationsOf, Self::Value>, Self::Error> {
        let keys: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let rows = self
            .accreditations
            .read(&keys, self.expected(), |ids| async move {
                let rows = accreditations::Entity::find()
                    .filter(accreditations::Column::ClinicId.is_in(ids.iter().copied()))
                    .order_by_asc(accreditations::Column::Id)
                    .into_model::<ByPosition<accreditations::Model>>()
                    .all(&self.db)
                    .await?;
                Ok(group(&ids, rows.into_iter().map(|ByPosition(r)| (r.clinic_id, r))))
            })
            .await?;
        Ok(keyed(rows, AccreditationsOf))
    }
}

impl Loader<CertificatesOf> for CatalogueLoader {
    type Value = Rows<CertificateWithMarkers>;
    type Error = ServiceError;

    /// Certificates newest first, each with its markers, in one statement (see
    /// [`certificate_rows`](super::certificate_rows)).
    async fn load(&self, keys: &[CertificatesOf]) -> Result<HashMap<CertificatesOf, Self::Value>, Self::Error> {
        let keys: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let rows = self
            .certificates
            .read(&keys, self.expected(), |ids| async move {
                let certificates = super::certificate_rows::of_clinics(&self.db, &ids).await?;
                Ok(group(&ids, certificates.into_iter().map(|(c, m)| (c.clinic_id, (c, m)))))
            })
            .await?;
        Ok(keyed(rows, CertificatesOf))
    }
}

impl Loader<PackagesOf> for CatalogueLoader {
    type Value = Rows<treatment_packages::Model>;
    type Error = ServiceError;

    async fn load(&self, keys: &[PackagesOf]) -> Result<HashMap<PackagesOf, Self::Value>, Self::Error> {
        let keys: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let rows = self
            .packages
            .read(&keys, self.expected(), |ids| async move {
                let rows = super::package_rows::active_of_clinics(&self.db, &ids);
                // The packages' treatments, beside them (see `read_treatment`).
                let (rows, _) = futures::try_join!(async { Ok(rows.await?) }, self.treatments())?;
                let mut by_clinic: HashMap<i32, Vec<treatment_packages::Model>> = rows.into_iter().collect();
                Ok(ids.iter().map(|id| (*id, by_clinic.remove(id).unwrap_or_default().into())).collect())
            })
            .await?;
        Ok(keyed(rows, PackagesOf))
    }
}

impl Loader<TreatmentById> for CatalogueLoader {
    type Value = treatments::Model;
    type Error = ServiceError;

    async fn load(&self, keys: &[TreatmentById]) -> Result<HashMap<TreatmentById, Self::Value>, Self::Error> {
        let all = self.treatments().await?;
        Ok(keys.iter().filter_map(|k| all.iter().find(|t| t.id == k.0).map(|t| (*k, t.clone()))).collect())
    }
}

impl Loader<TreatmentBySlug> for CatalogueLoader {
    type Value = treatments::Model;
    type Error = ServiceError;

    async fn load(&self, keys: &[TreatmentBySlug]) -> Result<HashMap<TreatmentBySlug, Self::Value>, Self::Error> {
        let all = self.treatments().await?;
        Ok(keys.iter().filter_map(|k| all.iter().find(|t| t.slug == k.0).map(|t| (k.clone(), t.clone()))).collect())
    }
}
