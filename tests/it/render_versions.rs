//! The default images must be exactly the IMAGE_* references of tests/cluster/versions.env (the
//! one place for versions): the test cluster holds those images and nothing else.

use std::collections::BTreeMap;
use std::path::Path;

use sigstore_up::render::render;
use sigstore_up::values::Values;

/// IMAGE_* entries of versions.env that the product uses, and the values key of each.
const PRODUCT_IMAGES: &[(&str, &str)] = &[
    ("IMAGE_MARIADB", "images.mariadb"),
    ("IMAGE_REDIS", "images.redis"),
    ("IMAGE_TRILLIAN_LOG_SERVER", "images.trillian_log_server"),
    ("IMAGE_TRILLIAN_LOG_SIGNER", "images.trillian_log_signer"),
    ("IMAGE_CTLOG", "images.ctlog"),
    ("IMAGE_REKOR", "images.rekor"),
    ("IMAGE_FULCIO", "images.fulcio"),
    ("IMAGE_CADDY", "images.tuf"),
    ("IMAGE_REKOR_TILES", "images.rekor_tiles"),
    ("IMAGE_TESSERACT", "images.tesseract"),
    ("IMAGE_TSA", "images.tsa"),
    ("IMAGE_CADDY", "images.tiles_server"),
];

/// IMAGE_* entries only the test-cluster harness uses.
const HARNESS_IMAGES: &[&str] = &[
    "IMAGE_PAUSE",
    "IMAGE_PROOF_HTTP",
    // modern profile: moved to PRODUCT_IMAGES when the catalog entries land
    "IMAGE_REKOR_TILES",
    "IMAGE_TESSERACT",
    "IMAGE_TSA",
];

/// NAME=value lines; comments and blank lines skipped (the file's documented format).
fn versions_env() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cluster/versions.env");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (name, value) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("versions.env line without '=': {line:?}"));
            (name.to_string(), value.to_string())
        })
        .collect()
}

#[test]
fn default_images_equal_versions_env() {
    let versions = versions_env();
    let keys: BTreeMap<String, String> = Values::default()
        .keys()
        .into_iter()
        .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())))
        .collect();
    for (env_name, key) in PRODUCT_IMAGES {
        let expected = versions
            .get(*env_name)
            .unwrap_or_else(|| panic!("versions.env has no {env_name}"));
        assert_eq!(
            keys.get(*key),
            Some(expected),
            "default {key} must equal {env_name} in versions.env"
        );
    }
}

#[test]
fn every_image_in_versions_env_is_accounted_for() {
    for name in versions_env().keys().filter(|k| k.starts_with("IMAGE_")) {
        assert!(
            PRODUCT_IMAGES.iter().any(|(n, _)| n == name)
                || HARNESS_IMAGES.contains(&name.as_str()),
            "{name} is new in versions.env: map it to a values key in PRODUCT_IMAGES or list it in HARNESS_IMAGES"
        );
    }
}

#[test]
fn rendered_manifests_use_only_versions_env_images() {
    let versions = versions_env();
    let allowed: Vec<&String> = PRODUCT_IMAGES
        .iter()
        .map(|(name, _)| &versions[*name])
        .collect();
    let modern = Values {
        profile: "modern".into(),
        ..Values::default()
    };
    // classic: one container per component (and the TUF server); modern: the two tile logs
    // carry a file server
    for (values, containers) in [(Values::default(), 8), (modern, 7)] {
        let yaml = sigstore_up::render::to_yaml(&render(&values).unwrap()).unwrap();
        let images: Vec<&str> = yaml
            .lines()
            .filter_map(|line| line.trim().strip_prefix("image: "))
            .collect();
        assert_eq!(images.len(), containers, "{}: {images:?}", values.profile);
        for image in images {
            assert!(
                allowed.iter().any(|a| a.as_str() == image),
                "{image} is not in versions.env"
            );
        }
    }
}
