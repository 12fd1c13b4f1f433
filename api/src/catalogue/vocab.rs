//! The catalogue's enums.

use crate::vocab::vocabulary;

vocabulary!(
    /// Where the mesenchymal stem cells come from.
    CellSource {
        /// Allogeneic, from the Wharton's jelly of donated umbilical cords.
        UmbilicalCordMsc => "UMBILICAL_CORD_MSC",
        /// Autologous, from the patient's own fat (mini-liposuction).
        AdiposeMsc => "ADIPOSE_MSC",
        /// Autologous, from the patient's own bone marrow.
        BoneMarrowMsc => "BONE_MARROW_MSC",
    }
);

vocabulary!(
    /// How the cells are given.
    AdministrationRoute {
        /// An infusion into a vein.
        Intravenous => "INTRAVENOUS",
        /// An injection into the spinal canal (lumbar puncture).
        Intrathecal => "INTRATHECAL",
        /// Injections at the site treated, e.g. trigger points of the head and neck.
        LocalInjection => "LOCAL_INJECTION",
        /// Drops or spray into the nose.
        Intranasal => "INTRANASAL",
    }
);

vocabulary!(
    /// The organisation that issued an accreditation or licence.
    AccreditationBody {
        /// Joint Commission International: hospital-wide quality and patient safety.
        Jci => "JCI",
        /// Mexico's federal health regulator (Comisión Federal para la Protección contra
        /// Riesgos Sanitarios): the licence a Mexican clinic needs for cell therapy.
        Cofepris => "COFEPRIS",
        /// Another country's health authority or ministry of health (its name in `bodyName`).
        NationalHealthAuthority => "NATIONAL_HEALTH_AUTHORITY",
        /// ISO 9001 quality-management certification.
        Iso9001 => "ISO_9001",
        /// AABB (formerly the American Association of Blood Banks): cellular therapy and
        /// blood banking standards.
        Aabb => "AABB",
        /// FACT, the Foundation for the Accreditation of Cellular Therapy.
        Fact => "FACT",
        /// TEMOS: quality in medical care for international patients.
        Temos => "TEMOS",
        /// MTQUA, the Medical Travel Quality Alliance.
        Mtqua => "MTQUA",
        /// Any other body (its name in `bodyName`).
        Other => "OTHER",
    }
);

vocabulary!(
    /// How far a claim has been checked by Medtour.
    VerificationStatus {
        /// Not yet checked.
        Unverified => "UNVERIFIED",
        /// Checked against the issuer and found true.
        Verified => "VERIFIED",
        /// Checked and found false.
        Rejected => "REJECTED",
        /// Past its expiry date (derived when read, never stored).
        Expired => "EXPIRED",
    }
);

vocabulary!(
    /// The result of a laboratory test.
    TestOutcome {
        /// The lot met the test's specification.
        Pass => "PASS",
        /// The lot failed the test.
        Fail => "FAIL",
        /// The test was not performed (the certificate then does not meet release criteria).
        NotTested => "NOT_TESTED",
    }
);

vocabulary!(
    /// The six questions of the article's "how to choose a safe clinic" checklist.
    ChecklistKey {
        /// Does a doctor with a licence number practise there? At least one doctor with a
        /// `licenseNumber`.
        DoctorCredentials => "DOCTOR_CREDENTIALS",
        /// Does the clinic say where its cells come from? It publishes packages, and every
        /// one names its cell source.
        CellSourceDisclosed => "CELL_SOURCE_DISCLOSED",
        /// Is there independent lab evidence? A VERIFIED certificate of analysis from a
        /// named laboratory, issued in the last 12 months, that meets release criteria.
        ThirdPartyCoa => "THIRD_PARTY_COA",
        /// Is the protocol disclosed? It publishes packages, and every one states its cell
        /// count, route and sessions.
        ProtocolDisclosed => "PROTOCOL_DISCLOSED",
        /// Is the clinic licensed? At least one VERIFIED, unexpired accreditation.
        Licensed => "LICENSED",
        /// Are its claims realistic? No "cure", "guarantee" (in any form) or "100%" in the
        /// clinic's name, description, package names or inclusions.
        RealisticClaims => "REALISTIC_CLAIMS",
    }
);

vocabulary!(
    /// What clinics can be ordered by.
    ClinicOrderField {
        /// Alphabetically by name.
        Name => "NAME",
        /// By the price of the clinic's cheapest active package of any treatment (whatever
        /// the filter), in USD; clinics without packages come last either way.
        LowestPrice => "LOWEST_PRICE",
        /// By the safety checklist score (0 to 6).
        SafetyScore => "SAFETY_SCORE",
    }
);

vocabulary!(
    /// Sort direction.
    OrderDirection {
        /// Smallest first (A to Z, cheapest, lowest score).
        Asc => "ASC",
        /// Largest first (Z to A, dearest, highest score).
        Desc => "DESC",
    }
);

vocabulary!(
    /// Where a clinic is in its lifecycle. Partners only ever see PUBLISHED clinics.
    ClinicStatus {
        /// Being prepared by staff; not shown to partners.
        Draft => "DRAFT",
        /// Shown to partners and open to quote requests.
        Published => "PUBLISHED",
        /// Hidden from partners for now; may be published again.
        Suspended => "SUSPENDED",
        /// Retired for good; its quotes stay readable.
        Archived => "ARCHIVED",
    }
);

vocabulary!(
    /// A reviewer's verdict on a piece of evidence.
    VerificationDecision {
        /// The evidence checks out: it becomes VERIFIED.
        Verify => "VERIFY",
        /// The evidence does not check out: it becomes REJECTED.
        Reject => "REJECT",
    }
);

impl ClinicStatus {
    /// True when a clinic may move from `self` to `to`: DRAFT → PUBLISHED → SUSPENDED ⇄
    /// PUBLISHED, and anything not yet archived → ARCHIVED.
    pub fn may_become(self, to: ClinicStatus) -> bool {
        use ClinicStatus::*;
        matches!(
            (self, to),
            (Draft, Published)
                | (Published, Suspended)
                | (Suspended, Published)
                | (Draft | Published | Suspended, Archived)
        )
    }
}
