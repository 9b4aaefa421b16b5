use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Longest identifier accepted. Channel SKUs top out at 40 (Amazon) to 50 (eBay) characters;
/// 64 leaves room without letting a pasted paragraph become a key.
const MAX_IDENT_LEN: usize = 64;

fn check_ident(raw: &str) -> Result<(), &'static str> {
    if raw.is_empty() {
        return Err("must not be empty");
    }
    if raw.len() > MAX_IDENT_LEN {
        return Err("longer than 64 characters");
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters");
    }
    Ok(())
}

macro_rules! ident_type {
    ($(#[$doc:meta])* $name:ident, $error:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn new(raw: impl Into<String>) -> Result<Self, DomainError> {
                let raw = raw.into();
                match check_ident(&raw) {
                    Ok(()) => Ok(Self(raw)),
                    Err(why) => Err(DomainError::$error(raw, why)),
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(raw: String) -> Result<Self, DomainError> {
                Self::new(raw)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

ident_type!(
    /// A stock-keeping unit: the brand's own item code, the key every channel maps to.
    Sku,
    InvalidSku
);
ident_type!(
    /// A location code: a warehouse (`WH1`) or a bin inside one (`WH1-A-01`).
    LocationCode,
    InvalidLocation
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_checked() {
        let cases: &[(&str, bool)] = &[
            ("SKU-1", true),
            ("a", true),
            ("", false),
            ("has space", false),
            ("tab\there", false),
            (&"x".repeat(64), true),
            (&"x".repeat(65), false),
        ];
        for (raw, ok) in cases {
            assert_eq!(Sku::new(*raw).is_ok(), *ok, "{raw:?}");
            assert_eq!(LocationCode::new(*raw).is_ok(), *ok, "{raw:?}");
        }
    }
}
