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
        Intravenous => "INTRAVENOUS",
        Intrathecal => "INTRATHECAL",
        LocalInjection => "LOCAL_INJECTION",
        Intranasal => "INTRANASAL",
    }
);

vocabulary!(
    /// The organisation that issued an accreditation or licence.
    AccreditationBody {
        Jci => "JCI",
        Cofepris => "COFEPRIS",
        NationalHealthAuthority => "NATIONAL_HEALTH_AUTHORITY",
        Iso9001 => "ISO_9001",
        Aabb => "AABB",
        Fact => "FACT",
        Temos => "TEMOS",
        Mtqua => "MTQUA",
        Other => "OTHER",
    }
);

vocabulary!(
    /// How far a claim has been checked by Medtour.
    VerificationStatus {
        /// Not yet checked.
        Unverified => "UNVERIFIED",
        /// Checked against the issuer.
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
        Pass => "PASS",
        Fail => "FAIL",
        NotTested => "NOT_TESTED",
    }
);

vocabulary!(
    /// The six questions of the article's "how to choose a safe clinic" checklist.
    ChecklistKey {
        /// A doctor with a licence number.
        DoctorCredentials => "DOCTOR_CREDENTIALS",
        /// Every package names its cell source.
        CellSourceDisclosed => "CELL_SOURCE_DISCLOSED",
        /// A verified, recent third-party certificate of analysis that meets release criteria.
        ThirdPartyCoa => "THIRD_PARTY_COA",
        /// Cell count, route and sessions on every package.
        ProtocolDisclosed => "PROTOCOL_DISCLOSED",
        /// A verified, unexpired accreditation.
        Licensed => "LICENSED",
        /// No "cure", "guarantee" or "100%" claims.
        RealisticClaims => "REALISTIC_CLAIMS",
    }
);

vocabulary!(
    /// What clinics can be ordered by.
    ClinicOrderField {
        /// Alphabetically by name.
        Name => "NAME",
        /// By the clinic's cheapest active package of any treatment (whatever the filter), in USD; clinics without packages come last.
        LowestPrice => "LOWEST_PRICE",
        /// By the safety checklist score.
        SafetyScore => "SAFETY_SCORE",
    }
);

vocabulary!(
    /// Sort direction.
    OrderDirection {
        Asc => "ASC",
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
