#![no_main]
//! Fuzz the recent-file list parsers (GLib XBEL, LibreOffice xcu PickList, WPS Office.conf) and the
//! file-name marking rules on every path they return.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    use baomi_host::recent::{lists, names};
    for parsed in [lists::xbel(&text), lists::xcu_picklist(&text), lists::wps_conf(&text)] {
        for e in parsed.entries {
            let _ = names::markings(names::stem(&e.path));
        }
    }
    let _ = lists::uri_to_path(&text);
    let _ = lists::qsettings_values(&text);
});
