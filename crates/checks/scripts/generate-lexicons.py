#!/usr/bin/env python3
"""Generates the compact data files the checks embed. Run by a developer, not at build time:

    python3 -m pip download --no-deps -d /tmp/dner drug-named-entity-recognition==2.0.9
    apt-get install wbritish-small        # SCOWL word list, for /usr/share/dict/british-english-small
    python3 crates/checks/scripts/generate-lexicons.py /tmp/dner/drug_named_entity_recognition-2.0.9-py3-none-any.whl

Writes data/medicines.tsv.gz (variant, canonical: DrugBank open data as packaged by Fast Data Science's MIT-licensed
drug-named-entity-recognition, plus data/uk-medicines.tsv) and data/common-words.txt.gz (SCOWL british-english-small,
lower-case words). Variants that are ordinary English words ("ensure", "sone") are left out so that a draft saying
them is not taken for a medicine.
"""
import bz2, gzip, io, pathlib, pickle, re, sys, zipfile

here = pathlib.Path(__file__).resolve().parent.parent / "data"
wheel = zipfile.ZipFile(sys.argv[1])
data = pickle.load(bz2.open(io.BytesIO(wheel.read("drug_named_entity_recognition/drug_ner_dictionary.pkl.bz2"))))
stopwords_src = wheel.read("drug_named_entity_recognition/util.py").decode()

common = sorted({w.strip() for w in open("/usr/share/dict/british-english-small", encoding="utf-8")
                 if re.fullmatch(r"[a-z]+", w.strip())})
common_set = set(common)

uk = {}
for line in (here / "uk-medicines.tsv").read_text(encoding="utf-8").splitlines():
    if line and not line.startswith("#"):
        variant, canonical = line.split("\t")
        uk[variant] = canonical

shape = re.compile(r"^[a-z][a-z0-9'\-]*( [a-z0-9'\-]+){0,2}$")
out = {}
for variant, canonicals in data["drug_variant_to_canonical"].items():
    if not shape.match(variant) or not 4 <= len(variant) <= 30:
        continue
    if variant in common_set or variant in stopwords_src:
        continue
    out[variant] = canonicals[0]
# Prefer UK spellings for the canonical name where they are the same medicine.
uk_canonical = {"acetaminophen": "paracetamol", "albuterol": "salbutamol"}
out = {v: uk_canonical.get(c, c) for v, c in out.items()}
out.update(uk)

lines = "".join(f"{v}\t{c}\n" for v, c in sorted(out.items()))
(here / "medicines.tsv.gz").write_bytes(gzip.compress(lines.encode(), mtime=0))
(here / "common-words.txt.gz").write_bytes(gzip.compress("".join(w + "\n" for w in common).encode(), mtime=0))
print(f"{len(out)} medicine names, {len(common)} common words")
