"""The catalogue: medical specialties (France's DES and the EU's Directive 2005/36/EC annex V) and the
procedures that bring patients abroad, each under the specialty that performs it.

Self-contained on purpose: the data lives here, never imported from app code. Codes are stable English slugs;
rows are upserted by code, so running it again (or after an edit of a name) is harmless.
"""

from django.db import migrations

# (code, English name, French name)
SPECIALTIES = (
    # Medical specialties
    ("allergology", "Allergology", "Allergologie"),
    ("anaesthesiology", "Anaesthesiology and critical care", "Anesthésie-réanimation"),
    ("pathology", "Anatomical pathology", "Anatomie et cytologie pathologiques"),
    ("medical-biology", "Medical biology (laboratory medicine)", "Biologie médicale"),
    ("cardiology", "Cardiology and vascular diseases", "Cardiologie et maladies vasculaires"),
    ("dermatology", "Dermatology and venereology", "Dermatologie et vénéréologie"),
    ("endocrinology", "Endocrinology, diabetology and nutrition", "Endocrinologie, diabétologie et nutrition"),
    ("medical-genetics", "Medical genetics", "Génétique médicale"),
    ("geriatrics", "Geriatrics", "Gériatrie"),
    ("medical-gynaecology", "Medical gynaecology", "Gynécologie médicale"),
    ("haematology", "Haematology", "Hématologie"),
    ("gastroenterology", "Gastroenterology and hepatology", "Hépato-gastro-entérologie"),
    ("infectious-diseases", "Infectious and tropical diseases", "Maladies infectieuses et tropicales"),
    ("emergency-medicine", "Emergency medicine", "Médecine d'urgence"),
    ("occupational-medicine", "Occupational medicine", "Médecine et santé au travail"),
    ("general-practice", "General practice (family medicine)", "Médecine générale"),
    ("intensive-care-medicine", "Intensive care medicine", "Médecine intensive-réanimation"),
    ("internal-medicine", "Internal medicine and clinical immunology", "Médecine interne et immunologie clinique"),
    ("forensic-medicine", "Forensic medicine", "Médecine légale et expertises médicales"),
    ("nuclear-medicine", "Nuclear medicine", "Médecine nucléaire"),
    ("rehabilitation-medicine", "Physical and rehabilitation medicine", "Médecine physique et de réadaptation"),
    ("vascular-medicine", "Vascular medicine", "Médecine vasculaire"),
    ("nephrology", "Nephrology", "Néphrologie"),
    ("neurology", "Neurology", "Neurologie"),
    ("clinical-neurophysiology", "Clinical neurophysiology", "Neurophysiologie clinique"),
    ("medical-oncology", "Medical oncology", "Oncologie médicale"),
    ("radiation-oncology", "Radiation oncology (radiotherapy)", "Oncologie-radiothérapie"),
    ("paediatrics", "Paediatrics", "Pédiatrie"),
    ("respiratory-medicine", "Respiratory medicine (pulmonology)", "Pneumologie"),
    ("psychiatry", "Psychiatry", "Psychiatrie"),
    ("child-psychiatry", "Child and adolescent psychiatry", "Psychiatrie de l'enfant et de l'adolescent"),
    ("radiology", "Radiology and medical imaging", "Radiologie et imagerie médicale"),
    ("rheumatology", "Rheumatology", "Rhumatologie"),
    ("public-health", "Public health", "Santé publique"),
    ("clinical-pharmacology", "Clinical pharmacology and therapeutics", "Pharmacologie clinique et thérapeutique"),
    ("medical-microbiology", "Medical microbiology", "Microbiologie médicale"),
    (
        "reproductive-medicine",
        "Reproductive medicine (fertility and IVF)",
        "Médecine de la reproduction (fertilité et FIV)",
    ),
    # Surgical specialties
    ("general-surgery", "General surgery", "Chirurgie générale"),
    ("digestive-surgery", "Visceral and digestive surgery", "Chirurgie viscérale et digestive"),
    ("orthopaedic-surgery", "Orthopaedic and trauma surgery", "Chirurgie orthopédique et traumatologique"),
    (
        "plastic-surgery",
        "Plastic, reconstructive and aesthetic surgery",
        "Chirurgie plastique, reconstructrice et esthétique",
    ),
    ("cardiac-surgery", "Cardiac surgery", "Chirurgie cardiaque"),
    ("thoracic-surgery", "Thoracic surgery", "Chirurgie thoracique"),
    ("vascular-surgery", "Vascular surgery", "Chirurgie vasculaire"),
    ("neurosurgery", "Neurosurgery", "Neurochirurgie"),
    ("paediatric-surgery", "Paediatric surgery", "Chirurgie pédiatrique"),
    ("maxillofacial-surgery", "Maxillofacial surgery", "Chirurgie maxillo-faciale"),
    ("surgical-oncology", "Surgical oncology", "Chirurgie oncologique"),
    ("obstetrics-gynaecology", "Obstetrics and gynaecology", "Gynécologie-obstétrique"),
    ("ophthalmology", "Ophthalmology", "Ophtalmologie"),
    (
        "otorhinolaryngology",
        "Otorhinolaryngology – head and neck surgery (ENT)",
        "Oto-rhino-laryngologie – chirurgie cervico-faciale (ORL)",
    ),
    ("urology", "Urology", "Urologie"),
    # Dental specialties
    ("dentistry", "Dentistry", "Chirurgie dentaire"),
    ("oral-surgery", "Oral surgery", "Chirurgie orale"),
    ("orthodontics", "Orthodontics", "Orthopédie dento-faciale (orthodontie)"),
)

# (code, English name, French name, specialty code)
PROCEDURES = (
    # Orthopaedic and trauma surgery
    ("hip-replacement", "Total hip replacement", "Prothèse totale de hanche", "orthopaedic-surgery"),
    ("knee-replacement", "Total knee replacement", "Prothèse totale de genou", "orthopaedic-surgery"),
    (
        "partial-knee-replacement",
        "Partial (unicompartmental) knee replacement",
        "Prothèse unicompartimentale de genou",
        "orthopaedic-surgery",
    ),
    (
        "acl-reconstruction",
        "Anterior cruciate ligament (ACL) reconstruction",
        "Ligamentoplastie du ligament croisé antérieur (LCA)",
        "orthopaedic-surgery",
    ),
    (
        "knee-arthroscopy",
        "Knee arthroscopy (meniscus surgery)",
        "Arthroscopie du genou (chirurgie du ménisque)",
        "orthopaedic-surgery",
    ),
    ("shoulder-arthroscopy", "Shoulder arthroscopy", "Arthroscopie de l'épaule", "orthopaedic-surgery"),
    ("rotator-cuff-repair", "Rotator cuff repair", "Réparation de la coiffe des rotateurs", "orthopaedic-surgery"),
    ("shoulder-replacement", "Shoulder replacement", "Prothèse d'épaule", "orthopaedic-surgery"),
    ("spinal-fusion", "Spinal fusion", "Arthrodèse vertébrale", "orthopaedic-surgery"),
    ("scoliosis-surgery", "Scoliosis surgery", "Chirurgie de la scoliose", "orthopaedic-surgery"),
    ("bunion-surgery", "Bunion (hallux valgus) surgery", "Chirurgie de l'hallux valgus", "orthopaedic-surgery"),
    ("carpal-tunnel-release", "Carpal tunnel release", "Libération du canal carpien", "orthopaedic-surgery"),
    # Neurosurgery
    (
        "lumbar-discectomy",
        "Lumbar discectomy (herniated disc surgery)",
        "Discectomie lombaire (cure de hernie discale)",
        "neurosurgery",
    ),
    ("cervical-disc-replacement", "Cervical disc replacement", "Prothèse discale cervicale", "neurosurgery"),
    ("brain-tumour-surgery", "Brain tumour surgery", "Chirurgie des tumeurs cérébrales", "neurosurgery"),
    ("deep-brain-stimulation", "Deep brain stimulation", "Stimulation cérébrale profonde", "neurosurgery"),
    # Cardiac surgery
    ("cabg", "Coronary artery bypass grafting (CABG)", "Pontage aorto-coronarien", "cardiac-surgery"),
    ("heart-valve-replacement", "Heart valve replacement", "Remplacement valvulaire cardiaque", "cardiac-surgery"),
    ("mitral-valve-repair", "Mitral valve repair", "Plastie mitrale", "cardiac-surgery"),
    (
        "congenital-heart-surgery",
        "Congenital heart defect surgery",
        "Chirurgie des cardiopathies congénitales",
        "cardiac-surgery",
    ),
    ("heart-transplant", "Heart transplant", "Transplantation cardiaque", "cardiac-surgery"),
    # Cardiology (interventional)
    (
        "coronary-angioplasty",
        "Coronary angioplasty and stenting",
        "Angioplastie coronaire avec pose de stent",
        "cardiology",
    ),
    (
        "tavi",
        "Transcatheter aortic valve implantation (TAVI)",
        "Implantation valvulaire aortique percutanée (TAVI)",
        "cardiology",
    ),
    ("coronary-angiography", "Coronary angiography", "Coronarographie", "cardiology"),
    ("pacemaker-implantation", "Pacemaker implantation", "Pose de stimulateur cardiaque", "cardiology"),
    (
        "catheter-ablation",
        "Catheter ablation of cardiac arrhythmia",
        "Ablation par cathéter des troubles du rythme cardiaque",
        "cardiology",
    ),
    ("cardiac-check-up", "Cardiac check-up", "Bilan cardiologique", "cardiology"),
    # Thoracic surgery
    ("lung-lobectomy", "Lung lobectomy", "Lobectomie pulmonaire", "thoracic-surgery"),
    ("lung-transplant", "Lung transplant", "Transplantation pulmonaire", "thoracic-surgery"),
    # Vascular surgery and vascular medicine
    ("varicose-vein-treatment", "Varicose vein treatment", "Traitement des varices", "vascular-surgery"),
    (
        "aortic-aneurysm-repair",
        "Abdominal aortic aneurysm repair",
        "Cure d'anévrisme de l'aorte abdominale",
        "vascular-surgery",
    ),
    (
        "endovenous-laser-ablation",
        "Endovenous laser ablation of varicose veins",
        "Traitement endoveineux des varices par laser",
        "vascular-medicine",
    ),
    # Medical oncology
    ("chemotherapy", "Chemotherapy", "Chimiothérapie", "medical-oncology"),
    ("cancer-immunotherapy", "Cancer immunotherapy", "Immunothérapie du cancer", "medical-oncology"),
    ("targeted-cancer-therapy", "Targeted cancer therapy", "Thérapie ciblée du cancer", "medical-oncology"),
    ("oncology-second-opinion", "Oncology second opinion", "Second avis en cancérologie", "medical-oncology"),
    # Radiation oncology
    ("radiotherapy", "Radiotherapy", "Radiothérapie", "radiation-oncology"),
    ("proton-therapy", "Proton therapy", "Protonthérapie", "radiation-oncology"),
    (
        "stereotactic-radiosurgery",
        "Stereotactic radiosurgery (Gamma Knife, CyberKnife)",
        "Radiochirurgie stéréotaxique (Gamma Knife, CyberKnife)",
        "radiation-oncology",
    ),
    ("brachytherapy", "Brachytherapy", "Curiethérapie", "radiation-oncology"),
    # Surgical oncology
    ("mastectomy", "Mastectomy", "Mastectomie", "surgical-oncology"),
    (
        "lumpectomy",
        "Lumpectomy (breast-conserving surgery)",
        "Tumorectomie (chirurgie mammaire conservatrice)",
        "surgical-oncology",
    ),
    (
        "cytoreductive-surgery-hipec",
        "Cytoreductive surgery with HIPEC",
        "Chirurgie de cytoréduction avec CHIP",
        "surgical-oncology",
    ),
    # Haematology
    (
        "bone-marrow-transplant",
        "Bone marrow (haematopoietic stem cell) transplant",
        "Greffe de moelle osseuse (cellules souches hématopoïétiques)",
        "haematology",
    ),
    ("car-t-cell-therapy", "CAR-T cell therapy", "Thérapie par cellules CAR-T", "haematology"),
    # Urology
    ("radical-prostatectomy", "Radical prostatectomy", "Prostatectomie radicale", "urology"),
    (
        "prostate-laser-surgery",
        "Laser prostate surgery (HoLEP, photovaporisation)",
        "Chirurgie de la prostate au laser (HoLEP, photovaporisation)",
        "urology",
    ),
    (
        "turp",
        "Transurethral resection of the prostate (TURP)",
        "Résection transurétrale de la prostate (RTUP)",
        "urology",
    ),
    (
        "kidney-stone-treatment",
        "Kidney stone treatment (lithotripsy, ureteroscopy)",
        "Traitement des calculs rénaux (lithotritie, urétéroscopie)",
        "urology",
    ),
    ("nephrectomy", "Nephrectomy", "Néphrectomie", "urology"),
    ("kidney-transplant", "Kidney transplant", "Transplantation rénale", "urology"),
    ("penile-prosthesis", "Penile prosthesis implantation", "Pose d'implant pénien", "urology"),
    # Nephrology
    ("holiday-dialysis", "Haemodialysis while travelling", "Hémodialyse de vacances", "nephrology"),
    # Reproductive medicine
    ("ivf", "In vitro fertilisation (IVF)", "Fécondation in vitro (FIV)", "reproductive-medicine"),
    (
        "icsi",
        "Intracytoplasmic sperm injection (ICSI)",
        "Injection intracytoplasmique de spermatozoïde (ICSI)",
        "reproductive-medicine",
    ),
    ("egg-donation", "IVF with egg donation", "FIV avec don d'ovocytes", "reproductive-medicine"),
    (
        "sperm-donation",
        "Assisted reproduction with donor sperm",
        "Assistance médicale à la procréation avec don de spermatozoïdes",
        "reproductive-medicine",
    ),
    (
        "egg-freezing",
        "Egg freezing (oocyte vitrification)",
        "Congélation d'ovocytes (vitrification ovocytaire)",
        "reproductive-medicine",
    ),
    ("embryo-freezing", "Embryo freezing", "Congélation d'embryons", "reproductive-medicine"),
    ("frozen-embryo-transfer", "Frozen embryo transfer", "Transfert d'embryons congelés", "reproductive-medicine"),
    (
        "iui",
        "Intrauterine insemination (IUI)",
        "Insémination intra-utérine (IIU)",
        "reproductive-medicine",
    ),
    (
        "preimplantation-genetic-testing",
        "Preimplantation genetic testing (PGT)",
        "Diagnostic préimplantatoire (DPI)",
        "reproductive-medicine",
    ),
    ("fertility-assessment", "Fertility assessment", "Bilan de fertilité", "reproductive-medicine"),
    # Obstetrics and gynaecology, medical gynaecology
    ("hysterectomy", "Hysterectomy", "Hystérectomie", "obstetrics-gynaecology"),
    ("myomectomy", "Fibroid removal (myomectomy)", "Ablation des fibromes (myomectomie)", "obstetrics-gynaecology"),
    ("endometriosis-surgery", "Endometriosis surgery", "Chirurgie de l'endométriose", "obstetrics-gynaecology"),
    ("gynaecological-check-up", "Gynaecological check-up", "Bilan gynécologique", "medical-gynaecology"),
    # Dentistry, oral surgery, orthodontics
    ("dental-implant", "Dental implant", "Implant dentaire", "dentistry"),
    (
        "all-on-4",
        "All-on-4 full-arch implant bridge",
        "Bridge complet sur quatre implants (All-on-4)",
        "dentistry",
    ),
    ("dental-veneers", "Dental veneers", "Facettes dentaires", "dentistry"),
    ("dental-crown", "Dental crown", "Couronne dentaire", "dentistry"),
    ("dental-bridge", "Dental bridge", "Bridge dentaire", "dentistry"),
    (
        "root-canal-treatment",
        "Root canal treatment",
        "Traitement endodontique (dévitalisation)",
        "dentistry",
    ),
    ("teeth-whitening", "Teeth whitening", "Blanchiment dentaire", "dentistry"),
    ("dentures", "Dentures", "Prothèse dentaire amovible", "dentistry"),
    ("wisdom-tooth-extraction", "Wisdom tooth extraction", "Extraction des dents de sagesse", "oral-surgery"),
    ("sinus-lift", "Sinus lift", "Sinus lift (comblement sinusien)", "oral-surgery"),
    ("dental-bone-graft", "Dental bone graft", "Greffe osseuse dentaire", "oral-surgery"),
    ("clear-aligners", "Clear aligners", "Gouttières d'alignement transparentes", "orthodontics"),
    ("orthodontic-braces", "Orthodontic braces", "Appareil orthodontique fixe (bagues)", "orthodontics"),
    ("orthognathic-surgery", "Orthognathic (jaw) surgery", "Chirurgie orthognathique", "maxillofacial-surgery"),
    # Ophthalmology
    ("cataract-surgery", "Cataract surgery", "Chirurgie de la cataracte", "ophthalmology"),
    ("lasik", "LASIK laser eye surgery", "Chirurgie réfractive au laser (LASIK)", "ophthalmology"),
    (
        "prk",
        "Photorefractive keratectomy (PRK)",
        "Photokératectomie réfractive (PKR)",
        "ophthalmology",
    ),
    ("smile", "SMILE laser eye surgery", "Chirurgie réfractive au laser (SMILE)", "ophthalmology"),
    (
        "phakic-lens-implant",
        "Phakic intraocular lens implantation (ICL)",
        "Implantation de lentille intraoculaire phaque (ICL)",
        "ophthalmology",
    ),
    ("corneal-transplant", "Corneal transplant (keratoplasty)", "Greffe de cornée (kératoplastie)", "ophthalmology"),
    (
        "corneal-cross-linking",
        "Corneal cross-linking for keratoconus",
        "Cross-linking cornéen (kératocône)",
        "ophthalmology",
    ),
    ("glaucoma-surgery", "Glaucoma surgery", "Chirurgie du glaucome", "ophthalmology"),
    ("vitrectomy", "Vitrectomy (retinal surgery)", "Vitrectomie (chirurgie de la rétine)", "ophthalmology"),
    # Visceral and digestive surgery (including bariatric surgery)
    ("gastric-sleeve", "Gastric sleeve", "Sleeve gastrectomie", "digestive-surgery"),
    ("gastric-bypass", "Gastric bypass", "Bypass gastrique", "digestive-surgery"),
    (
        "mini-gastric-bypass",
        "One-anastomosis (mini) gastric bypass",
        "Bypass gastrique en oméga (mini-bypass)",
        "digestive-surgery",
    ),
    ("gastric-band", "Gastric band", "Anneau gastrique", "digestive-surgery"),
    (
        "cholecystectomy",
        "Gallbladder removal (cholecystectomy)",
        "Ablation de la vésicule biliaire (cholécystectomie)",
        "digestive-surgery",
    ),
    (
        "anti-reflux-surgery",
        "Anti-reflux surgery (fundoplication)",
        "Chirurgie anti-reflux (fundoplicature)",
        "digestive-surgery",
    ),
    ("colectomy", "Colectomy", "Colectomie", "digestive-surgery"),
    ("liver-transplant", "Liver transplant", "Transplantation hépatique", "digestive-surgery"),
    # General surgery
    ("inguinal-hernia-repair", "Inguinal hernia repair", "Cure de hernie inguinale", "general-surgery"),
    # Gastroenterology (endoscopy)
    ("gastric-balloon", "Gastric balloon", "Ballon intragastrique", "gastroenterology"),
    (
        "endoscopic-sleeve-gastroplasty",
        "Endoscopic sleeve gastroplasty",
        "Gastroplastie endoscopique (sleeve endoscopique)",
        "gastroenterology",
    ),
    ("colonoscopy", "Colonoscopy", "Coloscopie", "gastroenterology"),
    (
        "gastroscopy",
        "Gastroscopy (upper GI endoscopy)",
        "Gastroscopie (fibroscopie œso-gastro-duodénale)",
        "gastroenterology",
    ),
    # Plastic, reconstructive and aesthetic surgery
    ("rhinoplasty", "Rhinoplasty", "Rhinoplastie", "plastic-surgery"),
    ("breast-augmentation", "Breast augmentation", "Augmentation mammaire", "plastic-surgery"),
    ("breast-reduction", "Breast reduction", "Réduction mammaire", "plastic-surgery"),
    ("breast-lift", "Breast lift (mastopexy)", "Lifting mammaire (mastopexie)", "plastic-surgery"),
    ("breast-reconstruction", "Breast reconstruction", "Reconstruction mammaire", "plastic-surgery"),
    ("abdominoplasty", "Tummy tuck (abdominoplasty)", "Abdominoplastie", "plastic-surgery"),
    ("liposuction", "Liposuction", "Liposuccion", "plastic-surgery"),
    ("facelift", "Facelift", "Lifting cervico-facial", "plastic-surgery"),
    (
        "blepharoplasty",
        "Eyelid surgery (blepharoplasty)",
        "Chirurgie des paupières (blépharoplastie)",
        "plastic-surgery",
    ),
    ("otoplasty", "Ear correction (otoplasty)", "Otoplastie", "plastic-surgery"),
    ("brachioplasty", "Arm lift (brachioplasty)", "Lifting des bras (brachioplastie)", "plastic-surgery"),
    (
        "buttock-fat-transfer",
        "Buttock fat transfer (Brazilian butt lift)",
        "Lipofilling des fesses",
        "plastic-surgery",
    ),
    ("gynaecomastia-surgery", "Gynaecomastia surgery", "Chirurgie de la gynécomastie", "plastic-surgery"),
    ("hair-transplant", "Hair transplant", "Greffe de cheveux", "plastic-surgery"),
    # Dermatology
    ("mohs-surgery", "Mohs micrographic surgery", "Chirurgie micrographique de Mohs", "dermatology"),
    ("laser-skin-resurfacing", "Laser skin resurfacing", "Resurfaçage cutané au laser", "dermatology"),
    # Otorhinolaryngology
    ("cochlear-implant", "Cochlear implant", "Implant cochléaire", "otorhinolaryngology"),
    ("septoplasty", "Septoplasty", "Septoplastie", "otorhinolaryngology"),
    (
        "endoscopic-sinus-surgery",
        "Endoscopic sinus surgery",
        "Chirurgie endoscopique des sinus",
        "otorhinolaryngology",
    ),
    ("thyroidectomy", "Thyroidectomy", "Thyroïdectomie", "otorhinolaryngology"),
    # Check-ups and diagnostics
    (
        "executive-health-check-up",
        "Executive health check-up",
        "Bilan de santé complet (check-up)",
        "internal-medicine",
    ),
    ("cancer-screening", "Cancer screening", "Dépistage des cancers", "internal-medicine"),
    ("full-body-mri", "Full-body MRI", "IRM corps entier", "radiology"),
    ("pet-ct-scan", "PET-CT scan", "TEP-TDM (TEP-scanner)", "nuclear-medicine"),
    ("genetic-testing", "Genetic testing and counselling", "Test et conseil génétiques", "medical-genetics"),
    (
        "sleep-study",
        "Sleep apnoea study (polysomnography)",
        "Bilan d'apnée du sommeil (polysomnographie)",
        "respiratory-medicine",
    ),
    # Rehabilitation
    (
        "post-operative-rehabilitation",
        "Post-operative rehabilitation",
        "Rééducation postopératoire",
        "rehabilitation-medicine",
    ),
)


def seed(apps, schema_editor):
    Specialty = apps.get_model("providers", "Specialty")
    Procedure = apps.get_model("providers", "Procedure")
    specialties = {}
    for code, name_en, name_fr in SPECIALTIES:
        specialties[code], _ = Specialty.objects.update_or_create(
            code=code, defaults={"name_en": name_en, "name_fr": name_fr}
        )
    for code, name_en, name_fr, specialty in PROCEDURES:
        Procedure.objects.update_or_create(
            code=code, defaults={"name_en": name_en, "name_fr": name_fr, "specialty": specialties[specialty]}
        )


def unseed(apps, schema_editor):
    # Procedures first: a specialty is protected while a procedure points at it.
    apps.get_model("providers", "Procedure").objects.filter(code__in=[row[0] for row in PROCEDURES]).delete()
    apps.get_model("providers", "Specialty").objects.filter(code__in=[row[0] for row in SPECIALTIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("providers", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
