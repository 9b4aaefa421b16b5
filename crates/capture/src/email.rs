//! Alert e-mail through an SMTP relay (lettre on tokio, rustls with the ring provider).
//!
//! The relay is set once (`smtp_settings`, one row); the password, when the relay wants one,
//! comes from `SHELFSYNC_SMTP_PASSWORD` so it never lands in the database or its backups.

use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
use shelfsync_store::oversight::{Db, smtp as stored};

use crate::alerts::Alert;
use crate::{CaptureError, Result, now};

/// The environment variable holding the relay's password.
pub const PASSWORD_ENV: &str = "SHELFSYNC_SMTP_PASSWORD";

/// One SMTP exchange at most this long: a dead relay must not hold the alert loop.
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest host name (DNS) and address accepted.
const MAX_HOST_LEN: usize = 253;
const MAX_ADDRESS_LEN: usize = 254;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain SMTP: a relay on this host or the local network only.
    None,
    /// STARTTLS on the submission port (587).
    Starttls,
    /// Implicit TLS (465).
    Tls,
}

impl Security {
    pub fn parse(raw: &str) -> Result<Security> {
        match raw {
            "none" => Ok(Security::None),
            "starttls" => Ok(Security::Starttls),
            "tls" => Ok(Security::Tls),
            other => Err(CaptureError::Invalid(format!(
                "invalid SMTP security '{other}': expected none, starttls or tls"
            ))),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Security::None => "none",
            Security::Starttls => "starttls",
            Security::Tls => "tls",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub from: String,
    pub username: Option<String>,
}

/// A mailbox (`name <addr>` or `addr`), checked by lettre's parser.
pub fn mailbox(raw: &str) -> Result<Mailbox> {
    if raw.len() > MAX_ADDRESS_LEN {
        return Err(CaptureError::Invalid(format!(
            "e-mail address longer than {MAX_ADDRESS_LEN} characters"
        )));
    }
    raw.trim()
        .parse::<Mailbox>()
        .map_err(|e| CaptureError::Invalid(format!("invalid e-mail address '{raw}': {e}")))
}

/// Validates and stores the relay (replacing the previous one), audited in `by`'s name.
pub fn set_smtp(db: &impl Db, by: shelfsync_store::By<'_>, settings: &SmtpSettings) -> Result<()> {
    let host = settings.host.trim();
    if host.is_empty() || host.len() > MAX_HOST_LEN || host.chars().any(|c| c.is_whitespace() || c == '/') {
        return Err(CaptureError::Invalid(format!("invalid SMTP host '{}'", settings.host)));
    }
    if settings.port == 0 {
        return Err(CaptureError::Invalid("SMTP port must be 1 to 65535".into()));
    }
    mailbox(&settings.from)?;
    if settings.username.as_deref().is_some_and(|u| u.trim().is_empty() || u.len() > MAX_ADDRESS_LEN) {
        return Err(CaptureError::Invalid("SMTP username must be 1 to 254 characters".into()));
    }
    let relay = stored::SmtpRow {
        host: host.to_string(),
        port: settings.port,
        security: settings.security.as_str().to_string(),
        from: settings.from.trim().to_string(),
        username: settings.username.clone(),
    };
    stored::set(db, by, &relay, &now())?;
    Ok(())
}

pub fn smtp(db: &impl Db) -> Result<Option<SmtpSettings>> {
    stored::get(db)?
        .map(|stored::SmtpRow { host, port, security, from, username }| {
            Ok(SmtpSettings { host, port, security: Security::parse(&security)?, from, username })
        })
        .transpose()
}

fn transport(settings: &SmtpSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let smtp_error = |e: lettre::transport::smtp::Error| CaptureError::Http(format!("SMTP: {e}"));
    let builder = match settings.security {
        Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host),
        Security::Starttls => {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host).map_err(smtp_error)?
        }
        Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host).map_err(smtp_error)?,
    };
    let mut builder = builder.port(settings.port).timeout(Some(SMTP_TIMEOUT));
    if let Some(user) = &settings.username {
        let password = std::env::var(PASSWORD_ENV).map_err(|_| {
            CaptureError::Invalid(format!("SMTP user '{user}' is set but {PASSWORD_ENV} is not"))
        })?;
        builder = builder.credentials(Credentials::new(user.clone(), password));
    }
    Ok(builder.build())
}

/// The message for one alert: the subject names rule and subject, the body says the rest.
pub fn message(settings: &SmtpSettings, to: &str, alert: &Alert) -> Result<Message> {
    let body = format!(
        "ShelfSync alert {id} [{rule}]\n\n{message}\n\nSubject: {subject}\nOpened: {opened}\nValue: {value}, threshold: {threshold}\n\nAcknowledge with: shelfsync alerts ack {id}\n",
        id = alert.id,
        rule = alert.rule,
        message = alert.message,
        subject = alert.subject,
        opened = alert.opened_at,
        value = alert.value.map_or("-".into(), |v| v.to_string()),
        threshold = alert.threshold.map_or("-".into(), |v| v.to_string()),
    );
    Message::builder()
        .from(mailbox(&settings.from)?)
        .to(mailbox(to)?)
        .subject(format!("ShelfSync alert [{}]: {}", alert.rule, alert.subject))
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| CaptureError::Invalid(format!("cannot build the alert e-mail: {e}")))
}

/// Sends one alert to one address through the relay.
pub async fn send(settings: &SmtpSettings, to: &str, alert: &Alert) -> Result<()> {
    let message = message(settings, to, alert)?;
    transport(settings)?
        .send(message)
        .await
        .map_err(|e| CaptureError::Http(format!("SMTP {}: {e}", settings.host)))?;
    Ok(())
}
