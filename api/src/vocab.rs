//! The closed vocabularies of the contract (cell sources, statuses, roles, …).
//!
//! Each is a GraphQL enum stored as its name in a text column (the migrations hold the
//! matching CHECK constraints). `as_str` gives the stored text and `parse` reads it back.

/// Declares a contract enum with its stored names.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name as stored in the database and shown in the schema.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Reads a stored value back; a value outside the vocabulary is a fault of ours,
            /// handled by [`ServiceError::unknown_stored`](crate::error::ServiceError::unknown_stored).
            pub fn from_stored(text: &str) -> $crate::error::ServiceResult<Self> {
                Self::parse(text).ok_or_else(|| $crate::error::ServiceError::unknown_stored(stringify!($name), text))
            }

            /// Reads a name back; `None` for anything else.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

pub(crate) use vocabulary;

#[cfg(test)]
mod tests {
    vocabulary!(
        /// A test vocabulary.
        Colour {
            Red => "RED",
            Blue => "BLUE",
        }
    );

    #[test]
    fn a_stored_value_outside_its_vocabulary_is_an_internal_error() {
        assert_eq!(Colour::from_stored("BLUE").ok(), Some(Colour::Blue));
        let err = Colour::from_stored("GREEN").unwrap_err();
        assert_eq!(err.code(), crate::error::Code::Internal);
        assert!(!err.to_string().contains("GREEN"), "the stored value is logged, never shown: {err}");
    }
}
