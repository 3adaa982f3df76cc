#!/usr/bin/env bash
# Prints the totals of every Surefire and Failsafe report under the checkout, per module and overall, so the last
# lines of ./corgipile test show how many tests ran.
root="${1:-.}"
python3 - "$root" <<'PY'
import glob, os, sys, xml.etree.ElementTree as ET
root = sys.argv[1]
total = {"surefire": [0, 0, 0, 0], "failsafe": [0, 0, 0, 0]}
rows = []
for kind in ("surefire", "failsafe"):
    for d in sorted(glob.glob(os.path.join(root, "*", "target", kind + "-reports"))):
        t = [0, 0, 0, 0]
        for f in glob.glob(os.path.join(d, "TEST-*.xml")):
            try:
                r = ET.parse(f).getroot()
            except ET.ParseError:
                continue
            for i, k in enumerate(("tests", "failures", "errors", "skipped")):
                t[i] += int(r.get(k, 0))
        if t[0]:
            rows.append((kind, d.split(os.sep)[-3], t))
            total[kind] = [a + b for a, b in zip(total[kind], t)]
print("\n==== test summary ====")
for kind, mod, t in rows:
    print(f"{kind:9} {mod:15} tests={t[0]:4} failures={t[1]} errors={t[2]} skipped={t[3]}")
for kind in ("surefire", "failsafe"):
    t = total[kind]
    print(f"{kind.capitalize()} total: Tests run: {t[0]}, Failures: {t[1]}, Errors: {t[2]}, Skipped: {t[3]}")
PY
