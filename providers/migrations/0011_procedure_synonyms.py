"""Synonyms and lay terms of every procedure, in English and in French, so that a patient's words
("hip replacement", "teeth implants", "nose job", "prothèse de hanche") find the catalogue's names.

Self-contained like 0002_catalogue: the data lives here. Rows are updated by code; a procedure the
catalogue does not have is skipped. Search indexes these words with the procedure's names.
"""

from django.db import migrations, models

# code: ([English synonyms and lay terms], [French synonyms and lay terms])
SYNONYMS = {
    "hip-replacement": (
        ["hip replacement", "total hip arthroplasty", "hip arthroplasty", "new hip", "hip prosthesis", "THR"],
        ["prothèse de hanche", "arthroplastie totale de hanche", "remplacement de la hanche", "PTH"],
    ),
    "knee-replacement": (
        ["knee replacement", "total knee arthroplasty", "knee arthroplasty", "new knee", "knee prosthesis", "TKR"],
        ["prothèse de genou", "arthroplastie totale du genou", "remplacement du genou", "PTG"],
    ),
    "partial-knee-replacement": (
        ["partial knee replacement", "unicompartmental knee arthroplasty", "half knee replacement", "UKR"],
        ["prothèse partielle du genou", "hémi-prothèse du genou", "prothèse uni du genou"],
    ),
    "acl-reconstruction": (
        ["ACL surgery", "torn ACL repair", "cruciate ligament repair", "knee ligament reconstruction"],
        ["opération des ligaments croisés", "reconstruction du LCA", "rupture du ligament croisé"],
    ),
    "knee-arthroscopy": (
        ["knee keyhole surgery", "torn meniscus surgery", "meniscectomy", "knee scope"],
        ["méniscectomie", "opération du ménisque", "arthroscopie genou"],
    ),
    "shoulder-arthroscopy": (
        ["shoulder keyhole surgery", "shoulder scope", "subacromial decompression"],
        ["chirurgie de l'épaule sous arthroscopie", "acromioplastie", "opération de l'épaule"],
    ),
    "rotator-cuff-repair": (
        ["torn rotator cuff surgery", "shoulder tendon repair", "rotator cuff surgery"],
        ["suture de la coiffe des rotateurs", "rupture de la coiffe", "opération du tendon de l'épaule"],
    ),
    "shoulder-replacement": (
        ["shoulder arthroplasty", "new shoulder", "reverse shoulder replacement", "shoulder prosthesis"],
        ["arthroplastie de l'épaule", "prothèse totale d'épaule", "prothèse inversée de l'épaule"],
    ),
    "spinal-fusion": (
        ["spine fusion", "vertebral fusion", "back fusion surgery", "spondylodesis"],
        ["fusion vertébrale", "spondylodèse", "opération du dos"],
    ),
    "scoliosis-surgery": (
        ["scoliosis correction", "curved spine surgery", "spinal curvature surgery"],
        ["correction de la scoliose", "opération de la colonne déviée"],
    ),
    "bunion-surgery": (
        ["bunionectomy", "hallux valgus correction", "big toe bunion removal"],
        ["opération de l'oignon", "correction de l'hallux valgus", "oignon du pied"],
    ),
    "carpal-tunnel-release": (
        ["carpal tunnel surgery", "carpal tunnel syndrome operation", "wrist nerve release"],
        ["opération du canal carpien", "syndrome du canal carpien", "neurolyse du nerf médian"],
    ),
    "lumbar-discectomy": (
        ["slipped disc surgery", "herniated disc operation", "microdiscectomy", "sciatica surgery"],
        ["opération de la hernie discale", "microdiscectomie", "opération de la sciatique"],
    ),
    "cervical-disc-replacement": (
        ["neck disc replacement", "artificial cervical disc", "cervical arthroplasty"],
        ["prothèse de disque cervical", "arthroplastie cervicale", "opération des cervicales"],
    ),
    "brain-tumour-surgery": (
        ["brain tumor surgery", "craniotomy", "brain tumour removal", "neuro-oncology surgery"],
        ["craniotomie", "ablation d'une tumeur du cerveau", "neurochirurgie tumorale"],
    ),
    "deep-brain-stimulation": (
        ["DBS", "brain pacemaker", "Parkinson's surgery", "tremor surgery"],
        ["SCP", "pacemaker cérébral", "neurostimulation cérébrale", "chirurgie de la maladie de Parkinson"],
    ),
    "cabg": (
        ["heart bypass", "coronary bypass surgery", "triple bypass", "bypass surgery"],
        ["pontage coronarien", "pontage cardiaque", "triple pontage"],
    ),
    "heart-valve-replacement": (
        ["valve replacement surgery", "aortic valve replacement", "new heart valve", "AVR"],
        ["remplacement de valve cardiaque", "changement de valve aortique", "prothèse valvulaire"],
    ),
    "mitral-valve-repair": (
        ["mitral valve surgery", "mitral valvuloplasty", "leaky heart valve repair"],
        ["réparation de la valve mitrale", "valvuloplastie mitrale", "chirurgie de la valve mitrale"],
    ),
    "congenital-heart-surgery": (
        ["paediatric heart surgery", "hole in the heart repair", "congenital heart disease surgery"],
        ["chirurgie cardiaque pédiatrique", "malformation cardiaque", "cardiopathie congénitale"],
    ),
    "heart-transplant": (
        ["heart transplantation", "cardiac transplant", "new heart"],
        ["greffe de cœur", "greffe cardiaque", "transplantation du cœur"],
    ),
    "coronary-angioplasty": (
        ["stent", "heart stent", "PCI", "balloon angioplasty", "percutaneous coronary intervention"],
        ["pose de stent", "angioplastie", "dilatation coronaire", "ressort dans le cœur"],
    ),
    "tavi": (
        ["TAVR", "transcatheter aortic valve replacement", "keyhole heart valve replacement"],
        ["TAVI", "remplacement percutané de la valve aortique", "valve aortique par cathéter"],
    ),
    "coronary-angiography": (
        ["coronary angiogram", "heart angiogram", "cardiac catheterisation", "cardiac catheterization"],
        ["angiographie coronaire", "cathétérisme cardiaque", "examen des artères du cœur"],
    ),
    "pacemaker-implantation": (
        ["pacemaker fitting", "heart pacemaker", "pacemaker surgery", "ICD implantation"],
        ["pacemaker", "pose de pacemaker", "défibrillateur implantable"],
    ),
    "catheter-ablation": (
        ["cardiac ablation", "atrial fibrillation ablation", "AF ablation", "heart rhythm ablation"],
        ["ablation cardiaque", "ablation de fibrillation auriculaire", "traitement de l'arythmie"],
    ),
    "cardiac-check-up": (
        ["heart check-up", "heart check", "cardiac screening", "heart health check"],
        ["check-up cardiaque", "bilan du cœur", "dépistage cardiaque"],
    ),
    "lung-lobectomy": (
        ["lung surgery", "lung cancer surgery", "removal of a lung lobe"],
        ["chirurgie du poumon", "chirurgie du cancer du poumon", "ablation d'un lobe pulmonaire"],
    ),
    "lung-transplant": (
        ["lung transplantation", "new lungs"],
        ["greffe de poumon", "greffe pulmonaire"],
    ),
    "varicose-vein-treatment": (
        ["varicose veins removal", "vein stripping", "sclerotherapy", "spider veins treatment"],
        ["opération des varices", "stripping des varices", "sclérothérapie", "varicosités"],
    ),
    "aortic-aneurysm-repair": (
        ["AAA repair", "aneurysm surgery", "EVAR", "aortic aneurysm surgery"],
        ["chirurgie de l'anévrisme aortique", "endoprothèse aortique", "anévrisme de l'aorte"],
    ),
    "endovenous-laser-ablation": (
        ["EVLA", "EVLT", "laser vein treatment", "varicose vein laser"],
        ["laser endoveineux", "traitement des varices au laser", "ablation laser des varices"],
    ),
    "chemotherapy": (
        ["chemo", "cancer drug treatment", "cancer treatment"],
        ["chimio", "traitement du cancer", "chimiothérapie anticancéreuse"],
    ),
    "cancer-immunotherapy": (
        ["immunotherapy", "immune checkpoint inhibitors", "immuno-oncology"],
        ["immunothérapie", "immuno-oncologie", "inhibiteurs de points de contrôle"],
    ),
    "targeted-cancer-therapy": (
        ["targeted therapy", "precision oncology", "targeted drugs for cancer"],
        ["thérapie ciblée", "médecine de précision en cancérologie", "traitement ciblé du cancer"],
    ),
    "oncology-second-opinion": (
        ["cancer second opinion", "second opinion on cancer treatment", "tumour board review"],
        ["deuxième avis cancer", "second avis oncologique", "avis d'un cancérologue"],
    ),
    "radiotherapy": (
        ["radiation therapy", "radiation treatment", "IMRT"],
        ["rayons", "traitement par rayons", "radiothérapie externe"],
    ),
    "proton-therapy": (
        ["proton beam therapy", "proton radiation", "PBT"],
        ["protonthérapie", "thérapie par protons", "faisceau de protons"],
    ),
    "stereotactic-radiosurgery": (
        ["gamma knife", "cyberknife", "SRS", "SBRT"],
        ["radiochirurgie", "gamma knife", "cyberknife"],
    ),
    "brachytherapy": (
        ["internal radiotherapy", "seed implants", "internal radiation therapy"],
        ["radiothérapie interne", "implants radioactifs", "curiethérapie de la prostate"],
    ),
    "mastectomy": (
        ["breast removal", "breast cancer surgery", "double mastectomy"],
        ["ablation du sein", "chirurgie du cancer du sein", "mammectomie"],
    ),
    "lumpectomy": (
        ["breast lump removal", "breast conserving surgery", "wide local excision"],
        ["ablation d'une boule au sein", "chirurgie conservatrice du sein", "tumorectomie mammaire"],
    ),
    "cytoreductive-surgery-hipec": (
        ["HIPEC", "heated chemotherapy", "peritoneal cancer surgery", "debulking surgery"],
        ["CHIP", "chimiothérapie hyperthermique", "cancer du péritoine", "chirurgie de cytoréduction"],
    ),
    "bone-marrow-transplant": (
        ["BMT", "stem cell transplant", "haematopoietic stem cell transplantation", "HSCT"],
        ["greffe de cellules souches", "allogreffe", "autogreffe de moelle"],
    ),
    "car-t-cell-therapy": (
        ["CAR T", "CAR-T therapy", "cell therapy for lymphoma", "chimeric antigen receptor therapy"],
        ["CAR-T", "thérapie cellulaire", "cellules CAR-T contre le lymphome"],
    ),
    "radical-prostatectomy": (
        ["prostate removal", "prostate cancer surgery", "robotic prostatectomy"],
        ["ablation de la prostate", "chirurgie du cancer de la prostate", "prostatectomie robotique"],
    ),
    "prostate-laser-surgery": (
        ["HoLEP", "GreenLight laser", "enlarged prostate laser", "BPH laser surgery"],
        ["laser de la prostate", "adénome de la prostate", "HoLEP", "hypertrophie bénigne de la prostate"],
    ),
    "turp": (
        ["TURP", "prostate resection", "enlarged prostate surgery", "rebore"],
        ["RTUP", "résection de la prostate", "rabotage de la prostate"],
    ),
    "kidney-stone-treatment": (
        ["kidney stones removal", "lithotripsy", "shock wave lithotripsy", "ureteroscopy"],
        ["calculs rénaux", "lithotritie", "urétéroscopie", "coliques néphrétiques"],
    ),
    "nephrectomy": (
        ["kidney removal", "kidney cancer surgery", "partial nephrectomy"],
        ["ablation du rein", "chirurgie du cancer du rein", "néphrectomie partielle"],
    ),
    "kidney-transplant": (
        ["kidney transplantation", "renal transplant", "new kidney"],
        ["greffe de rein", "greffe rénale", "transplantation du rein"],
    ),
    "penile-prosthesis": (
        ["penile implant", "erectile dysfunction implant", "inflatable penile prosthesis"],
        ["prothèse pénienne", "implant pénien", "traitement de la dysfonction érectile"],
    ),
    "holiday-dialysis": (
        ["travel dialysis", "dialysis abroad", "holiday haemodialysis", "kidney dialysis on holiday"],
        ["dialyse en vacances", "dialyse à l'étranger", "dialyse de vacances"],
    ),
    "ivf": (
        ["IVF", "in vitro fertilization", "test tube baby", "fertility treatment"],
        ["FIV", "fécondation in vitro", "bébé éprouvette", "traitement de fertilité"],
    ),
    "icsi": (
        ["ICSI", "sperm injection", "IVF with ICSI"],
        ["ICSI", "micro-injection de spermatozoïde", "FIV ICSI"],
    ),
    "egg-donation": (
        ["donor eggs", "egg donor IVF", "oocyte donation"],
        ["don d'ovocytes", "don d'ovules", "FIV avec donneuse"],
    ),
    "sperm-donation": (
        ["donor sperm", "sperm donor", "donor insemination"],
        ["don de sperme", "donneur de sperme", "insémination avec donneur"],
    ),
    "egg-freezing": (
        ["freezing eggs", "oocyte cryopreservation", "fertility preservation"],
        ["congélation des ovules", "préservation de la fertilité", "autoconservation ovocytaire"],
    ),
    "embryo-freezing": (
        ["embryo cryopreservation", "freezing embryos", "embryo vitrification"],
        ["congélation embryonnaire", "vitrification embryonnaire", "conservation des embryons"],
    ),
    "frozen-embryo-transfer": (
        ["FET", "embryo transfer", "frozen embryo cycle"],
        ["TEC", "transfert d'embryon", "transfert d'embryons congelés"],
    ),
    "iui": (
        ["IUI", "artificial insemination", "intrauterine insemination"],
        ["IIU", "insémination artificielle", "insémination intra-utérine"],
    ),
    "preimplantation-genetic-testing": (
        ["PGT", "PGD", "PGS", "embryo genetic screening"],
        ["DPI", "diagnostic préimplantatoire", "dépistage génétique des embryons"],
    ),
    "fertility-assessment": (
        ["fertility test", "fertility check", "infertility work-up", "AMH test"],
        ["bilan d'infertilité", "test de fertilité", "examen de fertilité"],
    ),
    "hysterectomy": (
        ["womb removal", "uterus removal", "laparoscopic hysterectomy"],
        ["ablation de l'utérus", "hystérectomie cœlioscopique"],
    ),
    "myomectomy": (
        ["fibroid surgery", "uterine fibroids removal", "fibroids"],
        ["myomectomie", "ablation des fibromes utérins", "fibrome"],
    ),
    "endometriosis-surgery": (
        ["endometriosis excision", "endometriosis laparoscopy", "endometriosis treatment"],
        ["cœlioscopie pour endométriose", "traitement de l'endométriose", "exérèse de l'endométriose"],
    ),
    "gynaecological-check-up": (
        ["gynecological check-up", "well woman check", "pelvic exam", "smear test"],
        ["examen gynécologique", "frottis", "visite chez le gynécologue"],
    ),
    "dental-implant": (
        ["teeth implants", "tooth implant", "dental implants", "implant tooth"],
        ["implants dentaires", "implant de dent", "dent implantée"],
    ),
    "all-on-4": (
        ["all on four", "full mouth dental implants", "teeth in a day", "implant-supported denture"],
        ["all on four", "bridge complet sur implants", "dents fixes en un jour", "arcade complète sur implants"],
    ),
    "dental-veneers": (
        ["veneers", "porcelain veneers", "Hollywood smile", "Turkey teeth"],
        ["facettes", "facettes en céramique", "sourire hollywoodien"],
    ),
    "dental-crown": (
        ["tooth crown", "crowns", "zirconia crown", "porcelain crown"],
        ["couronne", "couronne en zircone", "couronne céramique"],
    ),
    "dental-bridge": (
        ["tooth bridge", "fixed bridge", "bridges"],
        ["bridge", "pont dentaire", "bridge fixe"],
    ),
    "root-canal-treatment": (
        ["root canal", "endodontics", "nerve treatment of a tooth"],
        ["dévitalisation", "traitement de canal", "endodontie"],
    ),
    "teeth-whitening": (
        ["tooth whitening", "teeth bleaching", "whiter teeth"],
        ["blanchiment des dents", "éclaircissement dentaire", "dents blanches"],
    ),
    "dentures": (
        ["false teeth", "removable denture", "partial denture"],
        ["dentier", "prothèse amovible", "fausses dents"],
    ),
    "wisdom-tooth-extraction": (
        ["wisdom teeth removal", "wisdom tooth removal", "tooth extraction"],
        ["extraction des dents de sagesse", "arrachage des dents de sagesse", "avulsion dentaire"],
    ),
    "sinus-lift": (
        ["sinus augmentation", "sinus graft"],
        ["comblement sinusien", "greffe sinusienne", "élévation du sinus"],
    ),
    "dental-bone-graft": (
        ["jaw bone graft", "bone grafting for implants", "bone augmentation"],
        ["greffe d'os de la mâchoire", "greffe osseuse pour implant", "augmentation osseuse"],
    ),
    "clear-aligners": (
        ["invisible braces", "Invisalign", "aligners"],
        ["aligneurs invisibles", "Invisalign", "appareil dentaire invisible"],
    ),
    "orthodontic-braces": (
        ["braces", "teeth braces", "fixed braces", "teeth straightening"],
        ["bagues", "appareil dentaire", "redressement des dents"],
    ),
    "orthognathic-surgery": (
        ["jaw surgery", "corrective jaw surgery", "jaw realignment"],
        ["chirurgie de la mâchoire", "chirurgie maxillo-faciale correctrice", "ostéotomie des mâchoires"],
    ),
    "cataract-surgery": (
        ["cataract removal", "cataract operation", "lens replacement", "phacoemulsification"],
        ["opération de la cataracte", "phacoémulsification", "remplacement du cristallin"],
    ),
    "lasik": (
        ["laser eye surgery", "LASIK", "laser vision correction", "eye laser"],
        ["opération des yeux au laser", "LASIK", "correction de la vue au laser", "myopie laser"],
    ),
    "prk": (
        ["PRK", "surface laser eye surgery", "LASEK"],
        ["PKR", "laser de surface", "LASEK"],
    ),
    "smile": (
        ["SMILE", "ReLEx SMILE", "keyhole laser eye surgery"],
        ["SMILE", "ReLEx SMILE", "chirurgie réfractive mini-invasive"],
    ),
    "phakic-lens-implant": (
        ["ICL", "implantable contact lens", "implantable collamer lens", "lens implant for myopia"],
        ["ICL", "lentille implantable", "implant phaque pour la myopie"],
    ),
    "corneal-transplant": (
        ["cornea transplant", "keratoplasty", "DMEK"],
        ["greffe de la cornée", "kératoplastie", "DMEK"],
    ),
    "corneal-cross-linking": (
        ["CXL", "keratoconus treatment", "cross-linking"],
        ["CXL", "traitement du kératocône", "cross linking"],
    ),
    "glaucoma-surgery": (
        ["trabeculectomy", "glaucoma laser", "glaucoma operation"],
        ["trabéculectomie", "laser du glaucome", "opération du glaucome"],
    ),
    "vitrectomy": (
        ["retinal detachment surgery", "retina surgery", "vitreoretinal surgery"],
        ["décollement de la rétine", "chirurgie vitréo-rétinienne", "opération de la rétine"],
    ),
    "gastric-sleeve": (
        ["sleeve gastrectomy", "weight loss surgery", "bariatric surgery", "stomach reduction"],
        ["sleeve", "chirurgie de l'obésité", "chirurgie bariatrique", "réduction de l'estomac"],
    ),
    "gastric-bypass": (
        ["Roux-en-Y gastric bypass", "RYGB", "weight loss surgery", "bariatric surgery"],
        ["bypass", "court-circuit gastrique", "chirurgie de l'obésité", "chirurgie bariatrique"],
    ),
    "mini-gastric-bypass": (
        ["mini bypass", "OAGB", "MGB", "one anastomosis gastric bypass"],
        ["mini-bypass", "bypass en oméga", "OAGB"],
    ),
    "gastric-band": (
        ["lap band", "adjustable gastric band", "stomach band"],
        ["anneau gastrique ajustable", "anneau de l'estomac", "gastroplastie par anneau"],
    ),
    "cholecystectomy": (
        ["gallbladder removal", "gallstones surgery", "gall bladder surgery"],
        ["ablation de la vésicule", "calculs biliaires", "opération de la vésicule"],
    ),
    "anti-reflux-surgery": (
        ["fundoplication", "Nissen fundoplication", "acid reflux surgery", "GERD surgery", "hiatus hernia repair"],
        ["fundoplicature", "opération du reflux", "reflux gastro-œsophagien", "hernie hiatale"],
    ),
    "colectomy": (
        ["bowel resection", "colon surgery", "bowel cancer surgery"],
        ["résection du côlon", "chirurgie du côlon", "chirurgie du cancer colorectal"],
    ),
    "liver-transplant": (
        ["liver transplantation", "hepatic transplant", "new liver"],
        ["greffe de foie", "greffe hépatique", "transplantation du foie"],
    ),
    "inguinal-hernia-repair": (
        ["hernia repair", "hernia operation", "groin hernia surgery", "herniorrhaphy"],
        ["opération de la hernie", "hernie de l'aine", "herniorraphie"],
    ),
    "gastric-balloon": (
        ["stomach balloon", "intragastric balloon", "weight loss balloon"],
        ["ballon gastrique", "ballon dans l'estomac", "ballon pour maigrir"],
    ),
    "endoscopic-sleeve-gastroplasty": (
        ["ESG", "non-surgical sleeve", "accordion procedure", "endoscopic sleeve"],
        ["sleeve endoscopique", "gastroplastie endoscopique", "ESG"],
    ),
    "colonoscopy": (
        ["bowel scope", "colon examination", "bowel cancer screening"],
        ["examen du côlon", "dépistage du cancer colorectal", "endoscopie basse"],
    ),
    "gastroscopy": (
        ["upper endoscopy", "stomach scope", "OGD", "endoscopy"],
        ["fibroscopie", "endoscopie digestive haute", "examen de l'estomac"],
    ),
    "rhinoplasty": (
        ["nose job", "nose reshaping", "nose surgery", "nose correction"],
        ["chirurgie du nez", "refaire le nez", "correction du nez"],
    ),
    "breast-augmentation": (
        ["boob job", "breast implants", "breast enlargement", "augmentation mammoplasty"],
        ["implants mammaires", "prothèses mammaires", "agrandissement des seins", "augmentation des seins"],
    ),
    "breast-reduction": (
        ["reduction mammoplasty", "smaller breasts", "breast reduction surgery"],
        ["réduction des seins", "plastie mammaire de réduction"],
    ),
    "breast-lift": (
        ["mastopexy", "boob lift", "breast uplift"],
        ["mastopexie", "lifting des seins", "remodelage des seins"],
    ),
    "breast-reconstruction": (
        ["reconstruction after mastectomy", "DIEP flap", "breast rebuild"],
        ["reconstruction du sein", "reconstruction après mastectomie", "lambeau DIEP"],
    ),
    "abdominoplasty": (
        ["tummy tuck", "abdominoplasty", "stomach tuck", "mummy makeover"],
        ["plastie abdominale", "lifting du ventre", "chirurgie du ventre"],
    ),
    "liposuction": (
        ["lipo", "liposculpture", "fat removal", "vaser liposuction"],
        ["lipo", "lipoaspiration", "liposculpture", "aspiration de graisse"],
    ),
    "facelift": (
        ["face lift", "rhytidectomy", "neck lift", "facial rejuvenation"],
        ["lifting du visage", "lifting facial", "rhytidectomie", "lifting du cou"],
    ),
    "blepharoplasty": (
        ["eyelid lift", "eye bag removal", "droopy eyelid surgery", "eye lift"],
        ["blépharoplastie", "lifting des paupières", "poches sous les yeux", "paupières tombantes"],
    ),
    "otoplasty": (
        ["ear pinning", "bat ears correction", "ear surgery", "pinnaplasty"],
        ["oreilles décollées", "chirurgie des oreilles", "recollement des oreilles"],
    ),
    "brachioplasty": (
        ["arm lift", "bingo wings surgery", "upper arm lift"],
        ["lifting des bras", "brachioplastie", "peau des bras"],
    ),
    "buttock-fat-transfer": (
        ["Brazilian butt lift", "BBL", "buttock augmentation", "bum lift"],
        ["BBL", "augmentation des fesses", "lifting brésilien des fesses", "lipofilling fessier"],
    ),
    "gynaecomastia-surgery": (
        ["gynecomastia surgery", "male breast reduction", "man boobs surgery"],
        ["réduction mammaire masculine", "gynécomastie", "seins chez l'homme"],
    ),
    "hair-transplant": (
        ["hair transplantation", "FUE", "FUT", "hair restoration", "baldness surgery", "hair implant"],
        ["implant capillaire", "greffe capillaire", "FUE", "calvitie"],
    ),
    "mohs-surgery": (
        ["Mohs", "skin cancer surgery", "basal cell carcinoma removal"],
        ["chirurgie de Mohs", "chirurgie du cancer de la peau", "carcinome basocellulaire"],
    ),
    "laser-skin-resurfacing": (
        ["laser resurfacing", "CO2 laser", "fractional laser", "skin laser"],
        ["laser CO2", "laser fractionné", "resurfaçage au laser", "laser de la peau"],
    ),
    "cochlear-implant": (
        ["bionic ear", "hearing implant", "cochlear implantation"],
        ["implant auditif", "oreille bionique", "implantation cochléaire"],
    ),
    "septoplasty": (
        ["deviated septum surgery", "nasal septum surgery", "blocked nose surgery"],
        ["déviation de la cloison nasale", "chirurgie de la cloison", "nez bouché"],
    ),
    "endoscopic-sinus-surgery": (
        ["FESS", "sinus surgery", "sinusitis surgery", "nasal polyps removal"],
        ["chirurgie des sinus", "sinusite chronique", "polypes du nez"],
    ),
    "thyroidectomy": (
        ["thyroid removal", "thyroid surgery", "goitre surgery"],
        ["ablation de la thyroïde", "chirurgie de la thyroïde", "goitre"],
    ),
    "executive-health-check-up": (
        ["full health check", "health check-up", "medical check-up", "full body check-up", "annual physical"],
        ["check-up", "bilan de santé", "bilan médical complet", "examen de santé"],
    ),
    "cancer-screening": (
        ["cancer check", "cancer test", "tumour markers", "early cancer detection"],
        ["dépistage du cancer", "bilan de dépistage", "détection précoce du cancer"],
    ),
    "full-body-mri": (
        ["whole body MRI", "body MRI scan", "MRI scan", "magnetic resonance imaging"],
        ["IRM", "IRM du corps entier", "imagerie par résonance magnétique"],
    ),
    "pet-ct-scan": (
        ["PET scan", "PET CT", "positron emission tomography"],
        ["TEP scan", "PET-scan", "tomographie par émission de positons"],
    ),
    "genetic-testing": (
        ["DNA test", "genetic test", "genetic screening", "hereditary cancer test", "BRCA test"],
        ["test ADN", "analyse génétique", "consultation de génétique", "test BRCA"],
    ),
    "sleep-study": (
        ["sleep apnea test", "polysomnography", "snoring test", "sleep test"],
        ["polysomnographie", "apnée du sommeil", "test du sommeil", "ronflement"],
    ),
    "post-operative-rehabilitation": (
        ["physiotherapy after surgery", "rehab", "physical therapy", "recovery after surgery"],
        ["kinésithérapie", "rééducation après opération", "rééducation", "convalescence"],
    ),
}


def add_synonyms(apps, schema_editor):
    Procedure = apps.get_model("providers", "Procedure")
    for procedure in Procedure.objects.filter(code__in=SYNONYMS):
        procedure.synonyms_en, procedure.synonyms_fr = (list(words) for words in SYNONYMS[procedure.code])
        procedure.save(update_fields=["synonyms_en", "synonyms_fr"])


class Migration(migrations.Migration):
    dependencies = [("providers", "0010_invitations")]

    operations = [
        migrations.AddField(
            model_name="procedure",
            name="synonyms_en",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Other names and lay terms patients search with, one per entry.",
                verbose_name="synonyms (English)",
            ),
        ),
        migrations.AddField(
            model_name="procedure",
            name="synonyms_fr",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Other names and lay terms patients search with, one per entry.",
                verbose_name="synonyms (French)",
            ),
        ),
        migrations.RunPython(add_synonyms, migrations.RunPython.noop),
    ]
