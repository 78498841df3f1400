#!/usr/bin/env python3
"""Writes rules/corpus/listings.jsonl: the labelled corpus `pharmwatch rules backtest --corpus` scores
the shipped rules on.

Every listing is written for the purpose from the templates below, with a fixed seed, so the file is
the same on every run (`python3 rules/corpus/generate.py` and `git diff` show nothing). Each line is a
`rules check` input with a `label`: whether an analyst would flag it, the highest severity it deserves,
the rules that should fire, and the reason in words.

The labels are an analyst's reading of each listing, written from what the listing says (the drug's
legal class, the claims, the channel, the price against the drug's usual price, who sells it), not
from running the rules. Hard negatives dominate: OTC medicines that need no prescription,
prescription medicines offered against a prescription, devices, cosmetics, supplements, and ordinary
goods whose names look like drug slang (bar stools, BMW M30, Hulk figures, T3 routers).
"""

import json
import os
import random

SEED = 20261207
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "listings.jsonl")

# Severities of the shipped rules (rules/packs/*.toml), for the label's highest severity.
SEVERITY = {
    "rx-without-prescription": "high",
    "obfuscated-drug-name": "high",
    "medicine-on-informal-market": "medium",
    "implausible-price": "high",
    "crypto-only-payment": "medium",
    "messaging-only-contact": "medium",
    "stealth-shipping": "medium",
    "prescription-required": "info",
    "medicine-on-darknet-market": "high",
    "rx-questionnaire-only": "medium",
    "glp1-pen-unregulated": "high",
    "skin-lightening-mercury-hydroquinone": "high",
    "banned-slimming-agent": "high",
    "unapproved-peptide-or-sarm": "high",
    "unapproved-medical-device": "medium",
    "cn-online-sale-banned-product": "high",
    "cn-rx-warning-missing": "info",
}
ORDER = ["info", "low", "medium", "high", "critical"]
# A controlled medicine is critical with any of these (rules/packs/00-core.toml).
AGGRAVATING = {
    "rx-without-prescription", "medicine-on-informal-market", "medicine-on-darknet-market",
    "messaging-only-contact", "crypto-only-payment", "implausible-price", "stealth-shipping",
    "obfuscated-drug-name",
}

# (name as sellers print it, class, reference USD per unit, unit word, strength)
CONTROLLED = [
    ("Oxycodone", 3.00, "tablets", "30mg"), ("Tramadol", 0.80, "tablets", "50mg"),
    ("Alprazolam", 1.00, "tablets", "2mg"), ("Xanax", 1.00, "tablets", "1mg"),
    ("Diazepam", 0.50, "tablets", "10mg"), ("Valium", 0.50, "tablets", "5mg"),
    ("Clonazepam", 0.40, "tablets", "2mg"), ("Lorazepam", 0.50, "tablets", "1mg"),
    ("Zolpidem", 1.00, "tablets", "10mg"), ("Zopiclone", 0.50, "tablets", "7.5mg"),
    ("Adderall", 3.00, "tablets", "20mg"), ("Ritalin", 1.50, "tablets", "10mg"),
    ("Modafinil", 2.00, "tablets", "200mg"), ("Codeine", 0.50, "tablets", "30mg"),
    ("Morphine", 1.00, "tablets", "10mg"), ("Methadone", 0.50, "tablets", "10mg"),
    ("Hydrocodone", 1.50, "tablets", "10mg"), ("Temazepam", 0.50, "capsules", "20mg"),
    ("Oxazepam", 0.50, "capsules", "10mg"), ("Tapentadol", 2.50, "tablets", "100mg"),
    ("Phentermine", 0.50, "tablets", "37.5mg"), ("Pregabalin", None, None, None),
]
CONTROLLED = [c for c in CONTROLLED if c[1] is not None]
RX = [
    ("Sildenafil", 2.00, "tablets", "100mg"), ("Viagra", 2.00, "tablets", "100mg"),
    ("Tadalafil", 2.00, "tablets", "20mg"), ("Cialis", 2.00, "tablets", "20mg"),
    ("Amoxicillin", 0.30, "capsules", "500mg"), ("Azithromycin", 1.50, "tablets", "500mg"),
    ("Ciprofloxacin", 0.40, "tablets", "500mg"), ("Doxycycline", 0.50, "capsules", "100mg"),
    ("Atorvastatin", 0.50, "tablets", "20mg"), ("Metformin", 0.20, "tablets", "500mg"),
    ("Sertraline", 0.20, "tablets", "50mg"), ("Fluoxetine", 0.20, "capsules", "20mg"),
    ("Finasteride", 0.30, "tablets", "1mg"), ("Isotretinoin", 2.00, "capsules", "20mg"),
    ("Levothyroxine", 0.20, "tablets", "100mcg"), ("Prednisolone", 0.10, "tablets", "5mg"),
    ("Amlodipine", 0.20, "tablets", "5mg"), ("Losartan", 0.25, "tablets", "50mg"),
    ("Pregabalin", 1.00, "capsules", "150mg"), ("Gabapentin", 0.30, "capsules", "300mg"),
    ("Propranolol", 0.20, "tablets", "40mg"), ("Valacyclovir", 1.00, "tablets", "500mg"),
    ("Ivermectin", 1.50, "tablets", "12mg"), ("Misoprostol", 1.50, "tablets", "200mcg"),
]
OTC = [
    ("Ibuprofen", 0.08, "tablets", "400mg"), ("Paracetamol", 0.05, "tablets", "500mg"),
    ("Aspirin", 0.03, "tablets", "300mg"), ("Naproxen", 0.10, "tablets", "250mg"),
    ("Loratadine", 0.20, "tablets", "10mg"), ("Cetirizine", 0.10, "tablets", "10mg"),
    ("Omeprazole", 0.10, "capsules", "20mg"), ("Loperamide", 0.10, "capsules", "2mg"),
    ("Diphenhydramine", 0.05, "tablets", "25mg"), ("Orlistat", 0.60, "capsules", "60mg"),
]
# Leetspeak and spacing as sellers disguise names (only names of six letters or more).
LEET = {"o": "0", "i": "1", "a": "@", "e": "3", "s": "$"}

LANGS = ["en", "de", "fr", "es", "pt", "ru", "it", "nl"]
RX_REQUIRED = {
    "en": ["Prescription required.", "Prescription-only medicine: upload your prescription at checkout.",
           "We dispense only against a valid prescription."],
    "de": ["Rezeptpflichtig: nur gegen Rezept.", "Verschreibungspflichtig, Rezept erforderlich."],
    "fr": ["Médicament sur ordonnance.", "Ordonnance obligatoire."],
    "es": ["Venta bajo receta.", "Receta médica obligatoria."],
    "pt": ["Venda sob prescrição médica.", "Receita obrigatória."],
    "ru": ["Отпускается по рецепту врача."],
    "it": ["Medicinale con ricetta.", "Ricetta medica obbligatoria."],
    "nl": ["Alleen op recept."],
}
NO_RX = {
    "en": ["No prescription needed!", "Order without prescription.", "No Rx required, fast delivery."],
    "de": ["Ohne Rezept bestellen."],
    "fr": ["Sans ordonnance, livraison rapide."],
    "es": ["Sin receta, envío rápido."],
    "pt": ["Sem receita, entrega rápida."],
    "ru": ["Без рецепта, быстрая доставка."],
    "it": ["Senza ricetta, consegna rapida."],
    "nl": ["Zonder recept, snelle levering."],
}
STEALTH = {
    "en": ["Stealth shipping, vacuum sealed.", "Discreet packaging, no customs problems.",
           "Shipped in a neutral envelope."],
    "de": ["Diskreter Versand, neutral verpackt."],
    "fr": ["Colis discret, sans douane."],
    "es": ["Envío discreto, sin aduana."],
    "pt": ["Envio discreto, embalagem neutra."],
    "ru": ["Анонимная доставка, без таможни."],
    "it": ["Spedizione discreta, senza dogana."],
    "nl": ["Discrete verpakking."],
}
# "Discreet" and friends that say nothing about a parcel.
NOT_STEALTH = [
    "Discreet treatments for erectile dysfunction, from our registered pharmacy.",
    "Discreet consultation with our pharmacist.",
    "Customs duties may apply to orders outside the EU.",
    "Tracked delivery with Royal Mail.",
]
PLAIN_SHIPPING = {
    "en": "Tracked delivery in 2-3 working days.", "de": "Lieferung in 2-3 Werktagen.",
    "fr": "Livraison suivie en 48h.", "es": "Entrega en 24-48 horas.", "pt": "Entrega em 3 dias úteis.",
    "ru": "Доставка курьером 1-3 дня.", "it": "Consegna in 48 ore.", "nl": "Levering binnen 2 werkdagen.",
}
UNITS = {
    "en": "{n} {u}", "de": "{n} Tabletten", "fr": "{n} comprimés", "es": "{n} comprimidos",
    "pt": "{n} comprimidos", "ru": "{n} таблеток", "it": "{n} compresse", "nl": "{n} tabletten",
}
CURRENCY = {"en": ("USD", 1.0), "de": ("EUR", 0.92), "fr": ("EUR", 0.92), "es": ("EUR", 0.92),
            "pt": ("BRL", 5.5), "ru": ("RUB", 90.0), "it": ("EUR", 0.92), "nl": ("EUR", 0.92)}
SYMBOL = {"USD": "${a}", "EUR": "{a} €", "BRL": "R$ {a}", "RUB": "{a} руб."}

# Ordinary goods whose names look like drug slang, imprints or brand names.
ORDINARY = [
    ("Bar stools, set of 4", "Chrome bar stools, like new, 4 pieces."),
    ("BMW M30 engine for sale", "Rebuilt 3.0 litre M30 engine, 180k km."),
    ("Incredible Hulk action figure, 30 cm", "Marvel collectible, boxed."),
    ("Hulk Hogan signed photo", "Authentic autograph with certificate."),
    ("TP-Link T3 Wi-Fi router", "Dual band, 4 ports, barely used."),
    ("Blues Brothers DVD, special edition", "Classic 1980 film, region 2."),
    ("Roxy surf wetsuit, women's size 10", "3/2mm full suit, worn twice."),
    ("Soma bed frame, king size", "Solid oak, dismantled for collection."),
    ("Hyundai Sonata 2015, 2.4 petrol", "Full service history, 90,000 miles."),
    ("Allegra desk lamp", "Adjustable LED lamp, warm white."),
    ("Xbox Series X console", "With two controllers, boxed."),
    ("Percy Pig sweets, 12 bags", "Best before next year."),
    ("Deca Dance festival tickets, 2 days", "Two weekend passes."),
    ("Tren de juguete, 100 piezas", "Juego de construcción para niños."),
    ("Test tube rack, 40 holes", "Laboratory plastic rack."),
    ("Oxford shirt, slim fit", "100% cotton, blue."),
    ("Ambient music CD: Sonata for piano", "Recorded live in Vienna."),
    ("Blue bars of soap, handmade, pack of 3", "Lavender and shea butter."),
    ("Ladder, 3 metres, aluminium", "Folding ladder, good condition."),
    ("Green bars, garden fence panels", "Powder-coated steel, 6 panels."),
    ("Footballs, size 5, set of 10", "Training footballs with pump."),
    ("Addy's bakery gift voucher", "Worth £20."),
    ("Snow globe, Kiss of Winter", "Glass, 10 cm."),
    ("Speed boat, 5 metres", "Outboard engine included."),
    ("Ice skates, size 42", "Hockey skates, sharpened."),
    ("Crystal vase", "Hand cut, 25 cm."),
    ("Molly the doll, 40 cm", "With three outfits."),
    ("Charlie and the Chocolate Factory, hardback", "First edition reprint."),
    ("Special K cereal, 6 boxes", "Original flavour."),
    ("Clean & clear face wash", "Oil-free, 150 ml."),
    ("Mercury thermometer, vintage", "Glass, boxed."),
    ("Weight loss shake, vanilla", "Meal replacement, 500 g."),
    ("Whey protein 2kg, chocolate", "24 g protein per serving."),
    ("Stealthy bike lights", "USB rechargeable, front and rear."),
    ("Noise-cancelling headphones", "Stealth mode, discreet design."),
    ("Discrete mathematics textbook", "Third edition, some notes."),
    ("Custom T-shirts, discreet logo", "Minimum order 10."),
    ("Lidl gift card", "€25."),
    ("PGP key signing guide", "How to verify vendors' keys."),
    ("Wegweiser Stadtplan Berlin", "Faltplan, 2024."),
    ("Fahrrad, 21 Gänge", "Guter Zustand, Abholung."),
    ("Vélo de ville, 7 vitesses", "Très bon état."),
    ("Bicicleta de montaña, 27 velocidades", "Poco uso."),
    ("Диван, 3 места", "Серый, самовывоз."),
    ("Bicicleta aro 29", "Pouco usada."),
]
SUPPLEMENTS = [
    ("Vitamin D3 1000 IU, 120 softgels", "Food supplement."),
    ("Omega-3 fish oil 1000mg, 90 capsules", "Supports heart health."),
    ("Magnesium citrate 200mg, 60 tablets", "Food supplement."),
    ("Melatonin-free sleep tea, 20 bags", "Chamomile and lavender."),
    ("Vitamin C 1000mg & Zinc x 60 tablets", "Immune support."),
    ("Probiotic 10 billion CFU, 30 capsules", "Keep refrigerated."),
    ("Iron 14mg, 90 tablets", "Food supplement."),
    ("Collagen powder 300g", "Unflavoured."),
]
COSMETICS = [
    ("Hyaluronic acid serum 30ml", "Hydrating face serum."),
    ("Retinol night cream 50ml", "0.3% retinol, fragrance free."),
    ("SPF 50 sunscreen 200ml", "Water resistant."),
    ("Vitamin C brightening serum", "15% ascorbic acid."),
    ("Shampoo for thinning hair", "Caffeine and biotin."),
    ("Lip balm, pack of 3", "Shea butter."),
]
DEVICES_PLAIN = [
    ("Blood pressure monitor, upper arm", "Clinically validated."),
    ("Digital thermometer", "Fast 10-second reading."),
    ("Pulse oximeter", "Fingertip, with lanyard."),
    ("Pregnancy test, 2 tests", "Over 99% accurate."),
    ("Knee support brace", "Adjustable."),
]


class Gen:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.rows = []
        self.n = 0

    def add(self, listing, rules, reason, severity=None):
        """Appends a listing with its label; the highest severity follows from the rules unless
        given (a controlled medicine's depends on its context)."""
        self.n += 1
        listing = {"id": f"c{self.n:05d}", **listing}
        rules = sorted(set(rules))
        if severity is None:
            sevs = [SEVERITY[r] for r in rules if r in SEVERITY]
            severity = max(sevs, key=ORDER.index) if sevs else None
        flagged = severity is not None and ORDER.index(severity) >= ORDER.index("low")
        listing["label"] = {"flagged": flagged, "severity": severity, "rules": rules, "reason": reason}
        self.rows.append(listing)

    def choice(self, xs):
        return self.rng.choice(xs)

    def obfuscate(self, name):
        if self.rng.random() < 0.5:
            out = "".join(LEET.get(c, c) if self.rng.random() < 0.6 else c for c in name.lower())
            if out == name.lower():
                out = name[0] + LEET.get(name[1].lower(), "0") + name[2:]
            return out.capitalize() if out[0].isalpha() else out
        sep = self.choice([".", " ", "-"])
        return sep.join(name.upper())

    def price(self, lang, ref, units, implausible, per_unit):
        code, rate = CURRENCY[lang]
        factor = self.rng.uniform(0.04, 0.15) if implausible else self.rng.uniform(1.1, 2.5)
        unit_price = ref * factor * rate
        if per_unit:
            # Cheap tablets are priced to the tenth of a cent, as some shops print them.
            digits = 2 if unit_price >= 0.1 else 3
            amount = f"{max(unit_price, 0.001):.{digits}f}"
            text = SYMBOL[code].format(a=amount) + self.choice(["/pill", " per tablet", "/tab"])
            return {"price": text, "currency": code, "units": units}
        return {"price": round(unit_price * units, 2), "currency": code, "units": units}


def medicine_offer(g, cls, drug, lang, legit=False):
    """One medicine offer with random context; its label is the analyst's reading of that context.
    `legit`: as a regulated pharmacy offers it (prescription required for rx and controlled
    medicines, a normal price, e-mail and phone, cards, address and licence), with the traps of
    real catalogues: per-unit prices of big packs, "discreet" blurbs, reviews that praise the
    packaging."""
    name, ref, unit, strength = drug
    rng = g.rng
    if legit:
        site = "pharmacy"
    else:
        site = rng.choices(["pharmacy", "marketplace", "classifieds", "forum", "darknet-market"],
                           [40, 10, 20, 5, 25])[0]
    informal = site in ("classifieds", "forum", "darknet-market")
    rx_claim = None
    if cls in ("rx", "controlled"):
        if legit:
            rx_claim = "required"
        else:
            rx_claim = rng.choices([None, "required", "none"], [45, 10, 45])[0]
    obfuscated = not legit and rng.random() < 0.25 and len(name) >= 6
    shown = g.obfuscate(name) if obfuscated else name
    implausible = not legit and rng.random() < 0.35
    per_unit = rng.random() < (0.4 if legit else 0.25)
    units = rng.choice([10, 20, 28, 30, 60, 90, 100, 180])
    messaging = not legit and rng.random() < 0.4
    crypto = not legit and rng.random() < (0.6 if site == "darknet-market" else 0.2)
    if legit:
        stealth_where = rng.choices([None, "review", "blurb"], [60, 20, 20])[0]
    else:
        stealth_where = rng.choices([None, "listing", "shop", "review", "blurb"], [45, 25, 10, 10, 10])[0]
    address = site == "pharmacy" and (legit or rng.random() < 0.5)
    licence = address and (rng.random() < (0.9 if legit else 0.6))

    title = f"{shown} {strength} x {UNITS[lang].format(n=units, u=unit)}"
    desc = []
    if rx_claim == "required":
        desc.append(g.choice(RX_REQUIRED[lang]))
    elif rx_claim == "none":
        desc.append(g.choice(NO_RX[lang]))
    listing = {"title": title, "site_kind": site, "language": lang}
    if site == "darknet-market":
        listing["url"] = f"http://{''.join(rng.choice('abcdefghijklmnopqrstuvwxyz234567') for _ in range(16))}.onion/listing/{rng.randint(1, 99999)}"
    else:
        listing["url"] = f"https://shop{rng.randint(1, 400)}.example/p/{rng.randint(1, 99999)}"
    listing.update(g.price(lang, ref, units, implausible, per_unit))
    if messaging:
        listing["contacts"] = [g.choice(["telegram:@meds_direct", "whatsapp:+44 7700 900123", "wickr:pharmaplug"])]
    else:
        listing["contacts"] = ["email:orders@shop.example", "phone:+44 20 7946 0000"]
        if rng.random() < 0.2:
            listing["contacts"].append("whatsapp:+44 7700 900456")
    if crypto:
        listing["payment"] = g.choice([["Bitcoin", "Monero"], ["BTC"], ["USDT (TRC20)"]])
    else:
        listing["payment"] = g.choice([["Visa", "Mastercard"], ["PayPal", "Visa"], ["Bank transfer"], ["Visa", "Bitcoin"]])
    shipping = [PLAIN_SHIPPING[lang]]
    if stealth_where == "listing":
        desc.append(g.choice(STEALTH[lang]))
    elif stealth_where == "shop":
        listing["shop_shipping"] = [g.choice(STEALTH[lang])]
    elif stealth_where == "review":
        listing["reviews"] = [g.choice(["Arrived in discreet packaging, great stealth!", "Vacuum sealed, no customs problems, 5 stars"])]
    elif stealth_where == "blurb":
        desc.append(g.choice(NOT_STEALTH))
    listing["shipping"] = shipping
    listing["description"] = " ".join(desc)
    listing["postal_address"] = address
    listing["licence_claim"] = licence

    rules, why = set(), []
    if cls == "controlled":
        rules.add("controlled-substance-online")
    if rx_claim == "none":
        rules.add("rx-without-prescription")
        why.append("says no prescription is needed")
    if rx_claim == "required":
        rules.add("prescription-required")
        why.append("says a prescription is required")
    if obfuscated:
        rules.add("obfuscated-drug-name")
        why.append(f"name disguised as {shown!r}")
    if informal:
        rules.add("medicine-on-informal-market")
        why.append(f"sold on a {site} site")
    if site == "darknet-market":
        rules.add("medicine-on-darknet-market")
    if implausible:
        rules.add("implausible-price")
        why.append("unit price a fraction of the usual")
    if messaging:
        rules.add("messaging-only-contact")
        why.append("reachable through a messaging app only")
    if crypto:
        rules.add("crypto-only-payment")
        why.append("crypto-currency is the only way to pay")
    if stealth_where in ("listing", "shop"):
        rules.add("stealth-shipping")
        why.append(f"parcel claim in the {'listing' if stealth_where == 'listing' else 'shop policy'}")
    if stealth_where == "review":
        why.append("a review, not the seller, mentions discreet packaging")
    if stealth_where == "blurb":
        why.append("'discreet'/'customs' without a parcel claim")
    if per_unit:
        why.append("price printed per unit")
    severity = None
    if cls == "controlled":
        if rules & AGGRAVATING:
            severity = "critical"
        elif rx_claim == "required" and address and licence:
            severity = "info"
            why.append("pharmacy with address and licence, normal price: check the licence")
        elif rx_claim == "required":
            severity = "info"
            why.append("prescription required, normal price, no address or licence shown: check who runs the shop")
        else:
            severity = "medium"
            why.append("controlled medicine, nothing said about prescriptions")
        others = [SEVERITY[r] for r in rules if r in SEVERITY]
        severity = max(others + [severity], key=ORDER.index)
    kind = {"controlled": "controlled medicine", "rx": "prescription medicine", "otc": "OTC medicine"}[cls]
    reason = f"{kind} {name}" + (": " + "; ".join(why) if why else ", sold normally")
    g.add(listing, rules, reason, severity)


def plain_goods(g):
    for items, what in ((ORDINARY, "ordinary goods whose name looks like drug slang"),
                        (SUPPLEMENTS, "food supplement"), (COSMETICS, "cosmetic"),
                        (DEVICES_PLAIN, "device that needs no prescription")):
        for title, desc in items:
            for site in ("pharmacy", "classifieds", "marketplace"):
                if what.startswith("ordinary") and site == "pharmacy":
                    site = "forum"
                g.add({"title": title, "description": desc, "site_kind": site,
                       "price": round(g.rng.uniform(3, 300), 2), "currency": "EUR",
                       "contacts": ["email:seller@example.org"], "payment": ["PayPal"]},
                      [], f"{what}: {title}")


def otc_sans_ordonnance(g):
    """The legal French and Spanish names for OTC medicines say 'without prescription'."""
    for name, ref, unit, strength in OTC:
        for text in ("Médicament sans ordonnance.", "Medicamento sin receta.", "No prescription needed."):
            g.add({"title": f"{name} {strength} x 20", "description": text, "site_kind": "pharmacy",
                   "price": round(ref * 20 * 1.5, 2), "currency": "EUR", "units": 20,
                   "postal_address": True, "licence_claim": True},
                  [], f"OTC medicine {name}: needs no prescription, so saying so is no red flag")


def special_products(g):
    """Product families with their own rules: GLP-1 pens, skin lighteners, banned slimming agents,
    peptides and SARMs, devices, online questionnaires."""
    for title, site, rules, reason in [
        ("Ozempic 1mg pen - weight loss", "marketplace", ["glp1-pen-unregulated"], "GLP-1 pen sold for weight loss on a marketplace"),
        ("Semaglutide 5mg vial, research use only", "pharmacy", ["glp1-pen-unregulated"], "GLP-1 sold as a research chemical"),
        ("Caneta emagrecedora Mounjaro 5mg", "pharmacy", ["glp1-pen-unregulated"], "GLP-1 pen sold as a slimming pen"),
        ("Crema blanqueadora con mercurio", "marketplace", ["skin-lightening-mercury-hydroquinone"], "skin lightener with mercury"),
        ("Hydroquinone 4% cream, fast whitening", "marketplace", ["skin-lightening-mercury-hydroquinone"], "hydroquinone cream sold as a cosmetic"),
        ("Clobetasol propionate whitening lotion", "marketplace", ["skin-lightening-mercury-hydroquinone"], "potent steroid sold as a whitening lotion"),
        ("Sibutramina 15mg - emagrecimento rápido", "marketplace", ["banned-slimming-agent"], "withdrawn slimming agent"),
        ("DNP fat burner 200mg capsules", "forum", ["banned-slimming-agent", "medicine-on-informal-market"], "dinitrophenol on a forum"),
        ("BPC-157 5mg vial", "pharmacy", ["unapproved-peptide-or-sarm"], "unapproved peptide"),
        ("Ostarine MK-2866 10mg x 60", "pharmacy", ["unapproved-peptide-or-sarm"], "SARM"),
        ("Coloured contact lenses, no prescription needed", "pharmacy", ["unapproved-medical-device"], "lenses sold without the prescription they need"),
        ("Juvederm dermal filler 1ml", "classifieds", ["unapproved-medical-device"], "dermal filler on classifieds"),
        ("Tadalafil 20mg x 8 - free online consultation", "pharmacy", ["rx-questionnaire-only"], "prescription medicine after a questionnaire"),
        ("Finasteride 1mg x 28", "pharmacy", ["rx-questionnaire-only"], "prescription medicine after a questionnaire"),
    ]:
        desc = "Just fill out our short questionnaire and we ship today." if title.startswith("Finasteride") else ""
        for copy in range(6):
            g.add({"title": title, "description": desc, "site_kind": site,
                   "url": f"https://p{copy}.example/item/{g.n}"}, rules, reason)
    for title, desc in [
        ("Ozempic 1mg pen", "Prescription required: our registered pharmacists check every prescription before dispatch."),
        ("Daily contact lenses, 30 pack", "Prescription required: enter your prescription details at checkout."),
        ("Clobetasol 0.05% cream 30g", "Prescription required. For severe eczema."),
        ("Tadalafil 20mg x 8", "Prescription required. Complete our online consultation with a GP."),
    ]:
        for copy in range(6):
            rules = ["prescription-required"] if not title.startswith("Daily") else []
            g.add({"title": title, "description": desc, "site_kind": "pharmacy",
                   "url": f"https://rx{copy}.example/item/{g.n}", "postal_address": True, "licence_claim": True},
                  rules, "prescription product offered against a prescription")


def chinese(g):
    """Chinese-language pages, where China's online-sale rules apply."""
    warning = "处方药须凭处方在药师指导下购买和使用。"
    cases = [
        ("阿莫西林胶囊 0.25g 24粒", warning, ["prescription-required"], None, "rx medicine with the mandatory warning"),
        ("阿莫西林胶囊 0.25g 24粒", "正品保证，当天发货。", ["cn-rx-warning-missing"], None, "rx medicine without the mandatory warning"),
        ("布洛芬缓释胶囊 0.3g 20粒", "", [], None, "OTC medicine"),
        ("维生素C 1000mg 60片", "", [], None, "supplement"),
        ("曲马多 50mg 20片", "快递到家。", ["controlled-substance-online", "cn-online-sale-banned-product", "cn-rx-warning-missing"], "high", "controlled medicine on a Chinese page"),
        ("西地那非 100mg 30片", "正品保证，无需处方，快递到家。", ["rx-without-prescription", "cn-rx-warning-missing"], None, "rx medicine without prescription"),
        ("米非司酮片 25mg 6片", warning, ["cn-online-sale-banned-product", "prescription-required"], None, "named on China's online-sale ban list"),
    ]
    for title, desc, rules, severity, reason in cases:
        for copy in range(12):
            g.add({"title": title, "description": desc, "site_kind": "pharmacy", "language": "zh-CN",
                   "url": f"https://yaofang{copy}.example/item/{g.n}"}, rules, reason, severity)


def street_names(g):
    """Dark-market titles that name pills by imprint or street name."""
    titles = [
        ("Pressed M30 blues x 100", "oxycodone"), ("GG249 green hulks, 50 count", "alprazolam"),
        ("Xanax bars 2mg x 100", "alprazolam"), ("Roxies 30mg, 20 pcs", "oxycodone"),
        ("Dbol 10mg x 100 tabs", "methandienone"), ("Halotestin 10mg x 50", "fluoxymesterone"),
        ("Turinabol 10mg x 100", "turinabol"), ("Test E 250mg/ml 10ml", "testosterone"),
    ]
    for title, _drug in titles:
        for copy in range(10):
            g.add({"title": title, "site_kind": "darknet-market",
                   "url": f"http://market{copy}abcdefghij.onion/listing/{g.n}"},
                  ["controlled-substance-online", "medicine-on-informal-market", "medicine-on-darknet-market"],
                  "controlled medicine named as dark markets do, on a darknet market", "critical")


def main():
    g = Gen()
    plain_goods(g)
    otc_sans_ordonnance(g)
    special_products(g)
    chinese(g)
    street_names(g)
    # Suspicious offers: each carries at least one pattern analysts flag, in random combination.
    for _ in range(320):
        medicine_offer(g, "controlled", g.choice(CONTROLLED), g.choice(LANGS))
    for _ in range(320):
        medicine_offer(g, "rx", g.choice(RX), g.choice(LANGS))
    for _ in range(120):
        medicine_offer(g, "otc", g.choice(OTC), g.choice(LANGS))
    # Offers as regulated pharmacies make them.
    for _ in range(300):
        medicine_offer(g, "controlled", g.choice(CONTROLLED), g.choice(LANGS), legit=True)
    for _ in range(450):
        medicine_offer(g, "rx", g.choice(RX), g.choice(LANGS), legit=True)
    for _ in range(250):
        medicine_offer(g, "otc", g.choice(OTC), g.choice(LANGS), legit=True)
    with open(OUT, "w", encoding="utf-8") as f:
        for row in g.rows:
            f.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    flagged = sum(r["label"]["flagged"] for r in g.rows)
    print(f"{len(g.rows)} listings, {flagged} labelled flagged -> {OUT}")


if __name__ == "__main__":
    main()
