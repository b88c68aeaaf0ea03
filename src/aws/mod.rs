//! AWS ports: small traits of ours, SDK-backed.
