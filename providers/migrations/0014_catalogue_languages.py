"""The catalogue in Arabic, Spanish, German and Russian: each specialty's and procedure's name,
and each procedure's synonyms and lay terms, so that a patient finds care in their own words
("تغيير مفصل الحوض", "prótesis de cadera", "Hüftprothese", "замена тазобедренного сустава").

Self-contained like 0002_catalogue and 0011_procedure_synonyms: the data lives here. Rows are updated
by code; a code the catalogue does not have is skipped. After upgrading, `manage.py search_reindex`
puts the new words in the search index.
"""

from django.db import migrations

LANGUAGES = ("ar", "es", "de", "ru")

# code: (Arabic, Spanish, German, Russian)
SPECIALTIES = {
    "allergology": ("طب الحساسية", "Alergología", "Allergologie", "Аллергология"),
    "anaesthesiology": (
        "التخدير والإنعاش",
        "Anestesiología y reanimación",
        "Anästhesiologie und Intensivmedizin",
        "Анестезиология и реаниматология",
    ),
    "pathology": ("علم الأمراض التشريحي", "Anatomía patológica", "Pathologie", "Патологическая анатомия"),
    "medical-biology": (
        "علم الأحياء الطبي (الطب المخبري)",
        "Análisis clínicos (medicina de laboratorio)",
        "Laboratoriumsmedizin",
        "Клиническая лабораторная диагностика",
    ),
    "cardiology": (
        "أمراض القلب والأوعية الدموية",
        "Cardiología y enfermedades vasculares",
        "Kardiologie und Angiologie",
        "Кардиология и сосудистые заболевания",
    ),
    "dermatology": (
        "الأمراض الجلدية والتناسلية",
        "Dermatología y venereología",
        "Dermatologie und Venerologie",
        "Дерматовенерология",
    ),
    "endocrinology": (
        "الغدد الصماء والسكري والتغذية",
        "Endocrinología, diabetología y nutrición",
        "Endokrinologie, Diabetologie und Ernährungsmedizin",
        "Эндокринология, диабетология и диетология",
    ),
    "medical-genetics": ("علم الوراثة الطبية", "Genética médica", "Humangenetik", "Медицинская генетика"),
    "geriatrics": ("طب الشيخوخة", "Geriatría", "Geriatrie", "Гериатрия"),
    "medical-gynaecology": (
        "أمراض النساء الطبية",
        "Ginecología médica",
        "Medizinische Gynäkologie (konservative Frauenheilkunde)",
        "Гинекология (консервативная)",
    ),
    "haematology": ("أمراض الدم", "Hematología", "Hämatologie", "Гематология"),
    "gastroenterology": (
        "أمراض الجهاز الهضمي والكبد",
        "Aparato digestivo y hepatología",
        "Gastroenterologie und Hepatologie",
        "Гастроэнтерология и гепатология",
    ),
    "infectious-diseases": (
        "الأمراض المعدية والمدارية",
        "Enfermedades infecciosas y tropicales",
        "Infektiologie und Tropenmedizin",
        "Инфекционные и тропические болезни",
    ),
    "emergency-medicine": (
        "طب الطوارئ",
        "Medicina de urgencias",
        "Notfallmedizin",
        "Скорая и неотложная медицинская помощь",
    ),
    "occupational-medicine": ("طب العمل", "Medicina del trabajo", "Arbeitsmedizin", "Профпатология (медицина труда)"),
    "general-practice": (
        "الطب العام (طب الأسرة)",
        "Medicina general (medicina de familia)",
        "Allgemeinmedizin (Hausarztmedizin)",
        "Общая врачебная практика (семейная медицина)",
    ),
    "intensive-care-medicine": ("طب العناية المركزة", "Medicina intensiva", "Intensivmedizin", "Интенсивная терапия"),
    "internal-medicine": (
        "الطب الباطني والمناعة السريرية",
        "Medicina interna e inmunología clínica",
        "Innere Medizin und klinische Immunologie",
        "Терапия и клиническая иммунология",
    ),
    "forensic-medicine": ("الطب الشرعي", "Medicina legal y forense", "Rechtsmedizin", "Судебно-медицинская экспертиза"),
    "nuclear-medicine": ("الطب النووي", "Medicina nuclear", "Nuklearmedizin", "Ядерная медицина"),
    "rehabilitation-medicine": (
        "الطب الفيزيائي وإعادة التأهيل",
        "Medicina física y rehabilitación",
        "Physikalische und Rehabilitative Medizin",
        "Физическая и реабилитационная медицина",
    ),
    "vascular-medicine": (
        "طب الأوعية الدموية",
        "Medicina vascular (angiología)",
        "Angiologie (Gefäßmedizin)",
        "Ангиология (сосудистая медицина)",
    ),
    "nephrology": ("أمراض الكلى", "Nefrología", "Nephrologie", "Нефрология"),
    "neurology": ("طب الأعصاب", "Neurología", "Neurologie", "Неврология"),
    "clinical-neurophysiology": (
        "الفيزيولوجيا العصبية السريرية",
        "Neurofisiología clínica",
        "Klinische Neurophysiologie",
        "Клиническая нейрофизиология",
    ),
    "medical-oncology": (
        "علم الأورام الطبي",
        "Oncología médica",
        "Medizinische Onkologie",
        "Онкология (лекарственная терапия)",
    ),
    "radiation-oncology": (
        "علاج الأورام بالأشعة (العلاج الإشعاعي)",
        "Oncología radioterápica (radioterapia)",
        "Strahlentherapie (Radioonkologie)",
        "Радиотерапия (лучевая терапия)",
    ),
    "paediatrics": ("طب الأطفال", "Pediatría", "Kinder- und Jugendmedizin", "Педиатрия"),
    "respiratory-medicine": (
        "الأمراض الصدرية (أمراض الرئة)",
        "Neumología",
        "Pneumologie (Lungenheilkunde)",
        "Пульмонология",
    ),
    "psychiatry": ("الطب النفسي", "Psiquiatría", "Psychiatrie und Psychotherapie", "Психиатрия"),
    "child-psychiatry": (
        "الطب النفسي للأطفال والمراهقين",
        "Psiquiatría infantil y de la adolescencia",
        "Kinder- und Jugendpsychiatrie",
        "Детская и подростковая психиатрия",
    ),
    "radiology": (
        "الأشعة والتصوير الطبي",
        "Radiodiagnóstico e imagen médica",
        "Radiologie und medizinische Bildgebung",
        "Рентгенология и лучевая диагностика",
    ),
    "rheumatology": ("أمراض الروماتيزم", "Reumatología", "Rheumatologie", "Ревматология"),
    "public-health": (
        "الصحة العامة",
        "Medicina preventiva y salud pública",
        "Öffentliches Gesundheitswesen",
        "Общественное здоровье",
    ),
    "clinical-pharmacology": (
        "علم الأدوية السريري والعلاجات",
        "Farmacología clínica y terapéutica",
        "Klinische Pharmakologie",
        "Клиническая фармакология",
    ),
    "medical-microbiology": (
        "علم الأحياء الدقيقة الطبي",
        "Microbiología médica",
        "Mikrobiologie",
        "Медицинская микробиология",
    ),
    "reproductive-medicine": (
        "طب الإنجاب (الخصوبة وأطفال الأنابيب)",
        "Medicina reproductiva (fertilidad y FIV)",
        "Reproduktionsmedizin (Kinderwunsch und IVF)",
        "Репродуктивная медицина (лечение бесплодия и ЭКО)",
    ),
    "general-surgery": ("الجراحة العامة", "Cirugía general", "Allgemeinchirurgie", "Общая хирургия"),
    "digestive-surgery": (
        "جراحة الجهاز الهضمي والأحشاء",
        "Cirugía general y del aparato digestivo",
        "Viszeralchirurgie",
        "Абдоминальная хирургия",
    ),
    "orthopaedic-surgery": (
        "جراحة العظام والإصابات",
        "Cirugía ortopédica y traumatología",
        "Orthopädie und Unfallchirurgie",
        "Травматология и ортопедия",
    ),
    "plastic-surgery": (
        "الجراحة التجميلية والترميمية",
        "Cirugía plástica, reparadora y estética",
        "Plastische, Rekonstruktive und Ästhetische Chirurgie",
        "Пластическая, реконструктивная и эстетическая хирургия",
    ),
    "cardiac-surgery": ("جراحة القلب", "Cirugía cardíaca", "Herzchirurgie", "Кардиохирургия"),
    "thoracic-surgery": ("جراحة الصدر", "Cirugía torácica", "Thoraxchirurgie", "Торакальная хирургия"),
    "vascular-surgery": (
        "جراحة الأوعية الدموية",
        "Angiología y cirugía vascular",
        "Gefäßchirurgie",
        "Сосудистая хирургия",
    ),
    "neurosurgery": ("جراحة المخ والأعصاب", "Neurocirugía", "Neurochirurgie", "Нейрохирургия"),
    "paediatric-surgery": ("جراحة الأطفال", "Cirugía pediátrica", "Kinderchirurgie", "Детская хирургия"),
    "maxillofacial-surgery": (
        "جراحة الوجه والفكين",
        "Cirugía oral y maxilofacial",
        "Mund-, Kiefer- und Gesichtschirurgie",
        "Челюстно-лицевая хирургия",
    ),
    "surgical-oncology": ("جراحة الأورام", "Cirugía oncológica", "Chirurgische Onkologie", "Онкохирургия"),
    "obstetrics-gynaecology": (
        "أمراض النساء والتوليد",
        "Obstetricia y ginecología",
        "Frauenheilkunde und Geburtshilfe",
        "Акушерство и гинекология",
    ),
    "ophthalmology": ("طب العيون", "Oftalmología", "Augenheilkunde", "Офтальмология"),
    "otorhinolaryngology": (
        "الأنف والأذن والحنجرة وجراحة الرأس والعنق",
        "Otorrinolaringología y cirugía de cabeza y cuello (ORL)",
        "Hals-Nasen-Ohrenheilkunde – Kopf-Hals-Chirurgie (HNO)",
        "Оториноларингология — хирургия головы и шеи (ЛОР)",
    ),
    "urology": ("المسالك البولية", "Urología", "Urologie", "Урология"),
    "dentistry": ("طب الأسنان", "Odontología", "Zahnmedizin", "Стоматология"),
    "oral-surgery": ("جراحة الفم", "Cirugía bucal", "Oralchirurgie", "Хирургическая стоматология"),
    "orthodontics": ("تقويم الأسنان", "Ortodoncia", "Kieferorthopädie", "Ортодонтия"),
}

# code: ((name, [synonyms]) in Arabic, Spanish, German, Russian)
PROCEDURES = {
    "hip-replacement": (
        ("استبدال مفصل الورك الكامل", ["تغيير مفصل الحوض", "مفصل ورك صناعي", "تبديل مفصل الفخذ", "استبدال الورك"]),
        (
            "Prótesis total de cadera",
            ["prótesis de cadera", "artroplastia total de cadera", "reemplazo de cadera", "cadera nueva", "PTC"],
        ),
        (
            "Hüft-Totalendoprothese",
            ["Hüftprothese", "künstliches Hüftgelenk", "neue Hüfte", "Hüft-TEP", "Hüftgelenkersatz"],
        ),
        (
            "Тотальное эндопротезирование тазобедренного сустава",
            [
                "замена тазобедренного сустава",
                "эндопротез бедра",
                "протез тазобедренного сустава",
                "эндопротезирование ТБС",
                "искусственный сустав бедра",
            ],
        ),
    ),
    "knee-replacement": (
        ("استبدال مفصل الركبة الكامل", ["تغيير مفصل الركبة", "ركبة صناعية", "مفصل ركبة صناعي", "تبديل الركبة"]),
        (
            "Prótesis total de rodilla",
            ["prótesis de rodilla", "artroplastia total de rodilla", "reemplazo de rodilla", "rodilla nueva", "PTR"],
        ),
        (
            "Knie-Totalendoprothese",
            ["Knieprothese", "künstliches Kniegelenk", "neues Knie", "Knie-TEP", "Kniegelenkersatz"],
        ),
        (
            "Тотальное эндопротезирование коленного сустава",
            ["замена коленного сустава", "эндопротез колена", "протез колена", "эндопротезирование колена"],
        ),
    ),
    "partial-knee-replacement": (
        ("استبدال جزئي لمفصل الركبة (أحادي الحجرة)", ["تغيير جزئي للركبة", "مفصل ركبة جزئي", "استبدال نصف الركبة"]),
        (
            "Prótesis parcial (unicompartimental) de rodilla",
            [
                "prótesis unicompartimental",
                "media prótesis de rodilla",
                "prótesis parcial de rodilla",
                "artroplastia unicompartimental",
            ],
        ),
        (
            "Unikondyläre Knieprothese (Teilprothese)",
            ["Knie-Teilprothese", "Schlittenprothese", "halbe Knieprothese", "unikondyläre Prothese"],
        ),
        (
            "Одномыщелковое (частичное) эндопротезирование коленного сустава",
            ["частичная замена колена", "одномыщелковый протез", "частичный эндопротез колена"],
        ),
    ),
    "acl-reconstruction": (
        (
            "إعادة بناء الرباط الصليبي الأمامي",
            ["قطع الرباط الصليبي", "عملية الرباط الصليبي", "ترميم الرباط الصليبي", "ACL"],
        ),
        (
            "Reconstrucción del ligamento cruzado anterior (LCA)",
            [
                "ligamento cruzado",
                "operación de ligamento cruzado",
                "rotura de ligamento cruzado",
                "plastia de LCA",
                "LCA",
            ],
        ),
        ("Kreuzbandplastik (vorderes Kreuzband)", ["Kreuzband-OP", "Kreuzbandriss", "VKB-Plastik", "Kreuzbandersatz"]),
        (
            "Реконструкция передней крестообразной связки (ПКС)",
            ["пластика ПКС", "разрыв крестообразной связки", "операция на связках колена", "восстановление ПКС"],
        ),
    ),
    "knee-arthroscopy": (
        (
            "تنظير مفصل الركبة (جراحة الغضروف الهلالي)",
            ["منظار الركبة", "عملية الغضروف", "تمزق الغضروف الهلالي", "منظار الغضروف"],
        ),
        (
            "Artroscopia de rodilla (cirugía de menisco)",
            ["artroscopia de rodilla", "operación de menisco", "meniscectomía", "rotura de menisco"],
        ),
        ("Kniearthroskopie (Meniskuschirurgie)", ["Knie-Spiegelung", "Meniskus-OP", "Meniskusriss", "Meniskektomie"]),
        (
            "Артроскопия коленного сустава (операция на мениске)",
            ["артроскопия колена", "разрыв мениска", "менискэктомия", "операция на мениске"],
        ),
    ),
    "shoulder-arthroscopy": (
        ("تنظير مفصل الكتف", ["منظار الكتف", "عملية الكتف بالمنظار"]),
        ("Artroscopia de hombro", ["artroscopia hombro", "operación de hombro", "cirugía de hombro"]),
        (
            "Schulterarthroskopie",
            ["Schulter-Spiegelung", "Schulter-OP", "subakromiale Dekompression", "Impingement-OP"],
        ),
        (
            "Артроскопия плечевого сустава",
            ["артроскопия плеча", "операция на плече через проколы", "субакромиальная декомпрессия"],
        ),
    ),
    "rotator-cuff-repair": (
        ("إصلاح الكفة المدورة", ["تمزق أوتار الكتف", "إصلاح وتر الكتف", "الكفة الدوارة"]),
        (
            "Reparación del manguito rotador",
            ["manguito rotador", "rotura del manguito rotador", "sutura del manguito rotador", "tendón del hombro"],
        ),
        (
            "Rotatorenmanschettenrekonstruktion",
            ["Rotatorenmanschettenriss", "Sehnenriss Schulter", "Rotatorenmanschetten-OP", "Schultersehne nähen"],
        ),
        (
            "Восстановление вращательной манжеты плеча",
            ["шов вращательной манжеты", "разрыв манжеты плеча", "операция на сухожилиях плеча"],
        ),
    ),
    "shoulder-replacement": (
        ("استبدال مفصل الكتف", ["مفصل كتف صناعي", "تغيير مفصل الكتف"]),
        ("Prótesis de hombro", ["artroplastia de hombro", "reemplazo de hombro", "prótesis invertida de hombro"]),
        (
            "Schulterendoprothese",
            ["Schulterprothese", "künstliches Schultergelenk", "inverse Schulterprothese", "Schulter-TEP"],
        ),
        (
            "Эндопротезирование плечевого сустава",
            ["замена плечевого сустава", "протез плеча", "реверсивное эндопротезирование плеча"],
        ),
    ),
    "spinal-fusion": (
        ("دمج الفقرات", ["تثبيت الفقرات", "تثبيت العمود الفقري", "عملية الظهر بالمسامير", "تثبيت فقرات الظهر"]),
        ("Artrodesis vertebral", ["fusión vertebral", "fusión espinal", "artrodesis lumbar", "fijación de columna"]),
        (
            "Spondylodese (Wirbelsäulenversteifung)",
            ["Wirbelsäulenversteifung", "Versteifung der Wirbelsäule", "Rücken-OP", "Wirbelkörperfusion"],
        ),
        (
            "Спондилодез",
            ["сращение позвонков", "фиксация позвоночника", "операция на позвоночнике", "стабилизация позвоночника"],
        ),
    ),
    "scoliosis-surgery": (
        ("جراحة الجنف", ["انحناء العمود الفقري", "تقويم العمود الفقري", "عملية الجنف", "اعوجاج الظهر"]),
        (
            "Cirugía de escoliosis",
            [
                "operación de escoliosis",
                "corrección de escoliosis",
                "desviación de columna",
                "artrodesis por escoliosis",
            ],
        ),
        ("Skoliose-Operation", ["Skoliosekorrektur", "Wirbelsäulenverkrümmung", "Skoliose-OP"]),
        (
            "Хирургическое лечение сколиоза",
            ["операция при сколиозе", "коррекция сколиоза", "искривление позвоночника операция"],
        ),
    ),
    "bunion-surgery": (
        ("جراحة إبهام القدم الأروح", ["عظمة الإصبع الكبير", "اعوجاج إصبع القدم الكبير", "الوكعة", "بونيون"]),
        ("Cirugía del hallux valgus (juanete)", ["juanete", "operación de juanetes", "hallux valgus", "bunionectomía"]),
        ("Hallux-valgus-Operation", ["Ballenzeh-OP", "Hallux valgus", "Großzehenballen", "Fußballen-OP"]),
        (
            "Хирургическое лечение вальгусной деформации первого пальца стопы (hallux valgus)",
            ["косточка на ноге", "шишка на большом пальце", "операция на косточке", "халюс вальгус"],
        ),
    ),
    "carpal-tunnel-release": (
        ("تحرير النفق الرسغي", ["متلازمة النفق الرسغي", "تنميل اليد", "عملية النفق الرسغي"]),
        (
            "Liberación del túnel carpiano",
            ["túnel carpiano", "síndrome del túnel carpiano", "operación de túnel carpiano", "manos dormidas"],
        ),
        (
            "Karpaltunnel-Operation (Retinakulumspaltung)",
            ["Karpaltunnelsyndrom", "Karpaltunnel-OP", "eingeschlafene Hand", "Nervenengpass Handgelenk"],
        ),
        (
            "Декомпрессия запястного канала",
            ["туннельный синдром операция", "карпальный туннель", "операция на запястье"],
        ),
    ),
    "lumbar-discectomy": (
        (
            "استئصال القرص القطني (جراحة الانزلاق الغضروفي)",
            ["الديسك", "انزلاق غضروفي", "عملية الديسك", "فتق النواة اللبية", "عرق النسا"],
        ),
        (
            "Discectomía lumbar (cirugía de hernia discal)",
            ["hernia discal", "operación de hernia de disco", "hernia lumbar", "discectomía", "microdiscectomía"],
        ),
        (
            "Lumbale Diskektomie (Bandscheibenoperation)",
            ["Bandscheibenvorfall", "Bandscheiben-OP", "Mikrodiskektomie", "Ischias-OP"],
        ),
        (
            "Поясничная дискэктомия (удаление грыжи диска)",
            ["удаление грыжи позвоночника", "грыжа диска операция", "микродискэктомия", "ишиас операция"],
        ),
    ),
    "cervical-disc-replacement": (
        ("استبدال القرص العنقي", ["ديسك الرقبة", "غضروف الرقبة", "قرص رقبة صناعي"]),
        (
            "Prótesis de disco cervical",
            ["prótesis cervical", "hernia cervical", "artroplastia de disco cervical", "disco del cuello"],
        ),
        (
            "Zervikale Bandscheibenprothese",
            [
                "Bandscheibenprothese Halswirbelsäule",
                "HWS-Bandscheibe",
                "künstliche Bandscheibe Hals",
                "Bandscheibenvorfall Hals",
            ],
        ),
        (
            "Эндопротезирование межпозвонкового диска шейного отдела",
            ["замена шейного диска", "искусственный диск шеи", "протез диска шейного отдела"],
        ),
    ),
    "brain-tumour-surgery": (
        ("جراحة أورام الدماغ", ["ورم في المخ", "استئصال ورم الدماغ", "عملية ورم المخ"]),
        (
            "Cirugía de tumor cerebral",
            ["tumor cerebral", "craneotomía", "operación de tumor en la cabeza", "glioma", "meningioma"],
        ),
        ("Hirntumoroperation", ["Hirntumor-OP", "Kraniotomie", "Gehirntumor entfernen", "Hirntumor"]),
        (
            "Удаление опухоли головного мозга",
            ["операция на мозге", "трепанация черепа", "краниотомия", "опухоль мозга операция"],
        ),
    ),
    "deep-brain-stimulation": (
        ("التحفيز العميق للدماغ", ["جهاز تحفيز الدماغ", "علاج باركنسون بالتحفيز", "منظم الدماغ", "DBS"]),
        (
            "Estimulación cerebral profunda",
            ["ECP", "DBS", "estimulador cerebral", "Parkinson cirugía", "marcapasos cerebral"],
        ),
        ("Tiefe Hirnstimulation", ["THS", "DBS", "Hirnschrittmacher", "Parkinson-OP", "Tremor-Behandlung"]),
        (
            "Глубокая стимуляция мозга",
            ["DBS", "стимулятор мозга", "операция при болезни Паркинсона", "лечение тремора"],
        ),
    ),
    "cabg": (
        (
            "جراحة تحويل مسار الشريان التاجي",
            ["عملية القلب المفتوح", "تحويل مسار الشرايين", "الشرايين التاجية", "مجازة الشريان التاجي", "CABG"],
        ),
        (
            "Cirugía de revascularización coronaria (bypass aortocoronario)",
            ["bypass coronario", "baipás", "operación de corazón abierto", "puente coronario", "by-pass"],
        ),
        ("Aortokoronarer Bypass (ACVB)", ["Bypass-OP", "Herzbypass", "Koronarbypass", "dreifacher Bypass"]),
        (
            "Аортокоронарное шунтирование (АКШ)",
            ["шунтирование сердца", "АКШ", "коронарное шунтирование", "операция шунтирования"],
        ),
    ),
    "heart-valve-replacement": (
        ("استبدال صمام القلب", ["تغيير صمام القلب", "صمام قلب صناعي", "عملية الصمام"]),
        (
            "Sustitución valvular cardíaca",
            ["cambio de válvula", "prótesis valvular", "válvula del corazón", "recambio valvular", "válvula aórtica"],
        ),
        ("Herzklappenersatz", ["Herzklappen-OP", "Aortenklappenersatz", "neue Herzklappe", "künstliche Herzklappe"]),
        (
            "Протезирование клапана сердца",
            ["замена клапана сердца", "протезирование аортального клапана", "искусственный клапан сердца"],
        ),
    ),
    "mitral-valve-repair": (
        ("إصلاح الصمام التاجي", ["ترميم الصمام الميترالي", "تسريب الصمام التاجي", "الصمام الميترالي"]),
        (
            "Reparación de la válvula mitral",
            ["válvula mitral", "plastia mitral", "insuficiencia mitral", "valvuloplastia mitral"],
        ),
        (
            "Mitralklappenrekonstruktion",
            ["Mitralklappen-OP", "Mitralklappeninsuffizienz", "undichte Herzklappe", "Mitralklappenplastik"],
        ),
        (
            "Пластика митрального клапана",
            ["операция на митральном клапане", "митральная недостаточность", "восстановление клапана сердца"],
        ),
    ),
    "congenital-heart-surgery": (
        ("جراحة عيوب القلب الخلقية", ["ثقب في القلب", "عيب خلقي في القلب", "قلب الأطفال", "عملية قلب للأطفال"]),
        (
            "Cirugía de cardiopatías congénitas",
            [
                "cardiopatía congénita",
                "operación de corazón para niños",
                "cirugía cardíaca infantil",
                "soplo congénito",
            ],
        ),
        (
            "Operation angeborener Herzfehler",
            ["Kinderherzchirurgie", "angeborener Herzfehler", "Loch im Herzen", "Herzfehler-OP"],
        ),
        (
            "Хирургия врождённых пороков сердца",
            ["порок сердца у ребёнка", "дырка в сердце", "операция на сердце ребёнку", "ВПС"],
        ),
    ),
    "heart-transplant": (
        ("زراعة القلب", ["نقل قلب", "زرع قلب"]),
        ("Trasplante de corazón", ["trasplante cardíaco", "corazón nuevo", "trasplante de corazón"]),
        ("Herztransplantation", ["Herz-Tx", "Spenderherz", "neues Herz"]),
        ("Трансплантация сердца", ["пересадка сердца", "донорское сердце"]),
    ),
    "coronary-angioplasty": (
        (
            "رأب الشريان التاجي وتركيب الدعامات",
            ["دعامة القلب", "تركيب شبكة", "قسطرة علاجية", "بالون القلب", "دعامة الشريان"],
        ),
        (
            "Angioplastia coronaria con stent",
            ["angioplastia", "stent", "muelle en el corazón", "cateterismo con stent", "ACTP"],
        ),
        ("Koronarangioplastie mit Stentimplantation", ["Stent", "Herzstent", "PCI", "Ballondilatation", "PTCA"]),
        (
            "Коронарная ангиопластика и стентирование",
            ["стентирование сердца", "стент", "ЧКВ", "баллонная ангиопластика"],
        ),
    ),
    "tavi": (
        ("زرع الصمام الأبهري عبر القسطرة", ["تافي", "تغيير الصمام بالقسطرة", "صمام أبهري بالقسطرة", "TAVI"]),
        (
            "Implante percutáneo de válvula aórtica (TAVI)",
            ["TAVI", "TAVR", "válvula aórtica sin cirugía", "válvula percutánea", "estenosis aórtica"],
        ),
        (
            "Transkatheter-Aortenklappenimplantation (TAVI)",
            ["TAVI", "TAVR", "Herzklappe per Katheter", "Aortenklappe ohne OP"],
        ),
        (
            "Транскатетерная имплантация аортального клапана (TAVI)",
            ["TAVI", "TAVR", "замена клапана без разреза", "эндоваскулярная замена клапана"],
        ),
    ),
    "coronary-angiography": (
        ("تصوير الشرايين التاجية", ["قسطرة القلب", "قسطرة تشخيصية", "تصوير شرايين القلب"]),
        ("Coronariografía", ["cateterismo cardíaco", "angiografía coronaria", "cateterismo", "coronariografía"]),
        (
            "Koronarangiographie",
            ["Herzkatheter", "Herzkatheteruntersuchung", "Koronarangiografie", "Untersuchung der Herzkranzgefäße"],
        ),
        ("Коронарография", ["коронароангиография", "ангиография сердца", "катетеризация сердца", "КАГ"]),
    ),
    "pacemaker-implantation": (
        ("زرع جهاز تنظيم ضربات القلب", ["منظم ضربات القلب", "بطارية القلب", "جهاز تنظيم القلب"]),
        ("Implante de marcapasos", ["marcapasos", "poner un marcapasos", "desfibrilador", "DAI"]),
        ("Herzschrittmacherimplantation", ["Herzschrittmacher", "Schrittmacher einsetzen", "Defibrillator", "ICD"]),
        (
            "Имплантация электрокардиостимулятора",
            ["кардиостимулятор", "установка ЭКС", "ЭКС", "имплантация дефибриллятора"],
        ),
    ),
    "catheter-ablation": (
        (
            "الاستئصال بالقسطرة لاضطراب نظم القلب",
            ["كي القلب", "علاج عدم انتظام ضربات القلب", "كي كهربائي للقلب", "الرجفان الأذيني"],
        ),
        (
            "Ablación con catéter de arritmias cardíacas",
            ["ablación cardíaca", "ablación de fibrilación auricular", "arritmia", "taquicardia", "ablación"],
        ),
        (
            "Katheterablation bei Herzrhythmusstörungen",
            ["Ablation", "Vorhofflimmern", "Verödung am Herzen", "Herzrhythmusstörung behandeln"],
        ),
        (
            "Катетерная абляция при нарушениях ритма сердца",
            ["РЧА", "радиочастотная абляция", "абляция фибрилляции предсердий", "аритмия лечение"],
        ),
    ),
    "cardiac-check-up": (
        ("فحص القلب الشامل", ["فحص القلب", "تخطيط القلب", "فحص دوري للقلب", "إيكو القلب"]),
        (
            "Chequeo cardiológico",
            ["revisión del corazón", "chequeo cardíaco", "electrocardiograma", "prueba de esfuerzo", "ecocardiograma"],
        ),
        ("Kardiologischer Check-up", ["Herz-Check", "Herzuntersuchung", "Herzvorsorge", "Belastungs-EKG"]),
        (
            "Кардиологический чекап",
            ["обследование сердца", "проверка сердца", "кардиологическое обследование", "чекап сердца"],
        ),
    ),
    "lung-lobectomy": (
        ("استئصال فص الرئة", ["استئصال جزء من الرئة", "عملية الرئة", "سرطان الرئة جراحة"]),
        (
            "Lobectomía pulmonar",
            ["lobectomía", "cirugía de pulmón", "cáncer de pulmón cirugía", "quitar parte del pulmón"],
        ),
        ("Lobektomie der Lunge", ["Lungen-OP", "Lungenkrebs-OP", "Lungenlappen entfernen", "Lungenoperation"]),
        ("Лобэктомия лёгкого", ["удаление доли лёгкого", "операция на лёгком", "рак лёгкого операция"]),
    ),
    "lung-transplant": (
        ("زراعة الرئة", ["نقل رئة", "زرع رئة"]),
        ("Trasplante de pulmón", ["trasplante pulmonar", "pulmón nuevo", "trasplante de pulmones"]),
        ("Lungentransplantation", ["Lungen-Tx", "Spenderlunge", "neue Lunge"]),
        ("Трансплантация лёгких", ["пересадка лёгких", "донорские лёгкие"]),
    ),
    "varicose-vein-treatment": (
        ("علاج دوالي الساقين", ["الدوالي", "دوالي الرجلين", "علاج الأوردة المتوسعة"]),
        (
            "Tratamiento de varices",
            ["varices", "venas varicosas", "operación de varices", "esclerosis de varices", "safenectomía"],
        ),
        ("Krampfaderbehandlung", ["Krampfadern", "Varizen", "Venenstripping", "Verödung", "Besenreiser"]),
        (
            "Лечение варикозного расширения вен",
            ["варикоз", "удаление вен", "склеротерапия", "сосудистые звёздочки", "флебэктомия"],
        ),
    ),
    "aortic-aneurysm-repair": (
        ("إصلاح تمدد الشريان الأبهري البطني", ["تمدد الأورطى", "أم الدم الأبهرية", "انتفاخ الشريان الأورطي"]),
        (
            "Reparación de aneurisma de aorta abdominal",
            ["aneurisma de aorta", "aneurisma aórtico", "endoprótesis aórtica", "EVAR"],
        ),
        ("Behandlung eines Bauchaortenaneurysmas", ["Aortenaneurysma", "Aneurysma-OP", "EVAR", "Aortenstent"]),
        (
            "Хирургическое лечение аневризмы брюшной аорты",
            ["аневризма аорты", "операция на аорте", "EVAR", "эндопротезирование аорты"],
        ),
    ),
    "endovenous-laser-ablation": (
        ("الكي بالليزر داخل الوريد لعلاج الدوالي", ["ليزر الدوالي", "علاج الدوالي بالليزر", "كي الدوالي"]),
        (
            "Ablación endovenosa con láser de varices",
            ["láser de varices", "varices con láser", "EVLA", "ablación láser endovenosa"],
        ),
        (
            "Endovenöse Lasertherapie von Krampfadern",
            ["EVLT", "Krampfadern lasern", "Venenlaser", "Lasertherapie Varizen"],
        ),
        ("Эндовенозная лазерная коагуляция вен", ["ЭВЛК", "ЭВЛО", "лазерное лечение варикоза", "лазер вен"]),
    ),
    "chemotherapy": (
        ("العلاج الكيميائي", ["الكيماوي", "جرعات الكيماوي", "علاج السرطان بالكيماوي"]),
        ("Quimioterapia", ["quimio", "tratamiento del cáncer", "quimioterapia oncológica"]),
        ("Chemotherapie", ["Chemo", "Krebsmedikamente", "Krebsbehandlung", "Zytostatika"]),
        ("Химиотерапия", ["химия", "лечение рака препаратами", "лечение онкологии"]),
    ),
    "cancer-immunotherapy": (
        ("العلاج المناعي للسرطان", ["العلاج المناعي", "علاج السرطان بالمناعة"]),
        (
            "Inmunoterapia oncológica",
            ["inmunoterapia", "inmunoterapia contra el cáncer", "inhibidores de puntos de control"],
        ),
        ("Krebsimmuntherapie", ["Immuntherapie", "Checkpoint-Inhibitoren", "Immunonkologie"]),
        ("Иммунотерапия рака", ["иммунотерапия", "ингибиторы контрольных точек", "иммуноонкология"]),
    ),
    "targeted-cancer-therapy": (
        ("العلاج الموجَّه للسرطان", ["العلاج الموجه", "العلاج البيولوجي للسرطان", "الأدوية الموجهة"]),
        (
            "Terapia dirigida contra el cáncer",
            ["terapia dirigida", "terapia diana", "tratamiento de precisión", "medicina de precisión"],
        ),
        (
            "Zielgerichtete Krebstherapie",
            ["zielgerichtete Therapie", "Präzisionsonkologie", "personalisierte Krebstherapie", "Targeted Therapy"],
        ),
        ("Таргетная терапия рака", ["таргетная терапия", "таргетные препараты", "прецизионная онкология"]),
    ),
    "oncology-second-opinion": (
        ("رأي طبي ثانٍ في الأورام", ["رأي ثاني سرطان", "استشارة أورام", "رأي طبي ثاني أورام"]),
        (
            "Segunda opinión oncológica",
            ["segunda opinión cáncer", "revisión de diagnóstico de cáncer", "opinión de oncólogo"],
        ),
        (
            "Onkologische Zweitmeinung",
            ["Zweitmeinung Krebs", "Krebs Zweitmeinung", "Tumorkonferenz", "Zweitmeinung Krebsbehandlung"],
        ),
        (
            "Второе мнение онколога",
            ["второе мнение при раке", "консультация онколога", "пересмотр диагноза рака", "онкоконсилиум"],
        ),
    ),
    "radiotherapy": (
        ("العلاج الإشعاعي", ["العلاج بالأشعة", "جلسات الإشعاع", "الإشعاع"]),
        ("Radioterapia", ["radiación", "rayos", "sesiones de radioterapia", "tratamiento con radiación"]),
        ("Strahlentherapie", ["Bestrahlung", "Radiotherapie", "IMRT", "Strahlenbehandlung"]),
        ("Лучевая терапия", ["радиотерапия", "облучение", "IMRT"]),
    ),
    "proton-therapy": (
        ("العلاج بالبروتونات", ["العلاج البروتوني", "أشعة البروتون"]),
        ("Protonterapia", ["terapia de protones", "protones", "radioterapia con protones"]),
        ("Protonentherapie", ["Protonenbestrahlung", "Protonenstrahl", "Partikeltherapie"]),
        ("Протонная терапия", ["протонное облучение", "протонная лучевая терапия"]),
    ),
    "stereotactic-radiosurgery": (
        (
            "الجراحة الإشعاعية التجسيمية (غاما نايف، سايبر نايف)",
            ["جاما نايف", "سايبر نايف", "السكين الإشعاعية", "Gamma Knife", "CyberKnife"],
        ),
        (
            "Radiocirugía estereotáctica (Gamma Knife, CyberKnife)",
            ["radiocirugía", "Gamma Knife", "CyberKnife", "bisturí de rayos gamma"],
        ),
        (
            "Stereotaktische Radiochirurgie (Gamma Knife, CyberKnife)",
            ["Gamma Knife", "CyberKnife", "Radiochirurgie", "SBRT"],
        ),
        ("Стереотаксическая радиохирургия (Гамма-нож, Кибер-нож)", ["гамма-нож", "кибер-нож", "радиохирургия", "SBRT"]),
    ),
    "brachytherapy": (
        ("العلاج الإشعاعي الموضعي", ["الإشعاع الداخلي", "زرع البذور المشعة", "المعالجة الكثبية"]),
        ("Braquiterapia", ["radioterapia interna", "semillas radiactivas", "braquiterapia de próstata"]),
        ("Brachytherapie", ["innere Bestrahlung", "Seed-Implantation", "Afterloading"]),
        ("Брахитерапия", ["внутритканевая лучевая терапия", "контактная лучевая терапия", "имплантация зёрен"]),
    ),
    "mastectomy": (
        ("استئصال الثدي", ["إزالة الثدي", "عملية سرطان الثدي", "استئصال الثدي الكامل"]),
        ("Mastectomía", ["extirpación de la mama", "quitar el pecho", "cáncer de mama cirugía"]),
        ("Mastektomie", ["Brustamputation", "Brustentfernung", "Brustkrebs-OP", "beidseitige Mastektomie"]),
        ("Мастэктомия", ["удаление груди", "удаление молочной железы", "рак груди операция"]),
    ),
    "lumpectomy": (
        (
            "استئصال الورم الموضعي (جراحة الحفاظ على الثدي)",
            ["استئصال كتلة الثدي", "إزالة ورم الثدي", "الحفاظ على الثدي"],
        ),
        (
            "Tumorectomía (cirugía conservadora de la mama)",
            ["tumorectomía", "cirugía conservadora de mama", "cuadrantectomía", "quitar bulto del pecho"],
        ),
        (
            "Brusterhaltende Operation (Lumpektomie)",
            ["brusterhaltende Therapie", "Knoten in der Brust entfernen", "Tumorektomie", "Brustkrebs-OP"],
        ),
        (
            "Лампэктомия (органосохраняющая операция на молочной железе)",
            ["секторальная резекция", "удаление опухоли груди", "органосохраняющая операция"],
        ),
    ),
    "cytoreductive-surgery-hipec": (
        (
            "جراحة تقليص الورم مع العلاج الكيميائي الحراري داخل البطن",
            ["هايبك", "الكيماوي الساخن", "علاج الغشاء البريتوني", "HIPEC"],
        ),
        (
            "Cirugía citorreductora con HIPEC",
            ["HIPEC", "quimioterapia intraperitoneal", "carcinomatosis peritoneal", "citorreducción"],
        ),
        (
            "Zytoreduktive Chirurgie mit HIPEC",
            ["HIPEC", "Bauchfellkrebs", "Peritonealkarzinose", "erwärmte Chemotherapie"],
        ),
        ("Циторедуктивная операция с HIPEC", ["HIPEC", "гипертермическая химиотерапия", "рак брюшины операция"]),
    ),
    "bone-marrow-transplant": (
        ("زراعة نخاع العظم (الخلايا الجذعية المكونة للدم)", ["زرع النخاع", "زراعة الخلايا الجذعية", "نقل نخاع العظم"]),
        (
            "Trasplante de médula ósea (progenitores hematopoyéticos)",
            ["trasplante de médula", "trasplante de células madre", "TPH", "trasplante de médula ósea"],
        ),
        (
            "Knochenmarktransplantation (Stammzelltransplantation)",
            ["KMT", "Stammzelltransplantation", "Knochenmarkspende", "SZT"],
        ),
        (
            "Трансплантация костного мозга (гемопоэтических стволовых клеток)",
            ["пересадка костного мозга", "ТКМ", "трансплантация стволовых клеток", "ТГСК"],
        ),
    ),
    "car-t-cell-therapy": (
        ("العلاج بالخلايا التائية CAR-T", ["كار تي", "العلاج الخلوي", "الخلايا التائية المعدلة", "CAR-T"]),
        ("Terapia con células CAR-T", ["CAR-T", "CART", "terapia celular", "linfocitos CAR-T"]),
        ("CAR-T-Zell-Therapie", ["CAR-T", "Zelltherapie Lymphom", "CAR-T-Therapie"]),
        ("CAR-T-клеточная терапия", ["CAR-T", "кар-т терапия", "клеточная терапия лимфомы"]),
    ),
    "radical-prostatectomy": (
        ("استئصال البروستاتا الجذري", ["استئصال البروستاتا", "سرطان البروستاتا جراحة", "إزالة البروستاتا"]),
        (
            "Prostatectomía radical",
            [
                "extirpación de la próstata",
                "cáncer de próstata cirugía",
                "prostatectomía robótica",
                "quitar la próstata",
            ],
        ),
        (
            "Radikale Prostatektomie",
            ["Prostataentfernung", "Prostatakrebs-OP", "roboterassistierte Prostatektomie", "Da-Vinci-Prostata"],
        ),
        (
            "Радикальная простатэктомия",
            ["удаление простаты", "рак простаты операция", "роботическая простатэктомия", "операция да Винчи"],
        ),
    ),
    "prostate-laser-surgery": (
        (
            "جراحة البروستاتا بالليزر (هولب، التبخير الضوئي)",
            ["ليزر البروستاتا", "تضخم البروستاتا ليزر", "هولب", "HoLEP"],
        ),
        (
            "Cirugía láser de próstata (HoLEP, fotovaporización)",
            ["láser de próstata", "HoLEP", "fotovaporización prostática", "láser verde", "próstata agrandada"],
        ),
        (
            "Laseroperation der Prostata (HoLEP, Photovaporisation)",
            ["HoLEP", "Greenlight-Laser", "Prostata lasern", "gutartige Prostatavergrößerung"],
        ),
        (
            "Лазерная хирургия простаты (HoLEP, фотовапоризация)",
            ["HoLEP", "лазерная энуклеация простаты", "аденома простаты лазер", "GreenLight"],
        ),
    ),
    "turp": (
        ("استئصال البروستاتا عبر الإحليل", ["تجريف البروستاتا", "منظار البروستاتا", "كشط البروستاتا", "TURP"]),
        (
            "Resección transuretral de próstata (RTU)",
            ["RTU de próstata", "RTUP", "TURP", "hiperplasia benigna de próstata", "raspado de próstata"],
        ),
        (
            "Transurethrale Resektion der Prostata (TURP)",
            ["TURP", "Prostatahobelung", "vergrößerte Prostata", "Prostataresektion"],
        ),
        ("Трансуретральная резекция простаты (ТУРП)", ["ТУР простаты", "ТУРП", "аденома простаты операция"]),
    ),
    "kidney-stone-treatment": (
        ("علاج حصى الكلى (تفتيت الحصى، تنظير الحالب)", ["حصوة الكلى", "تفتيت الحصى", "حصى الكلى", "منظار الحالب"]),
        (
            "Tratamiento de cálculos renales (litotricia, ureteroscopia)",
            ["piedras en el riñón", "cálculos renales", "litotricia", "cólico nefrítico", "ureteroscopia"],
        ),
        (
            "Nierensteinbehandlung (Lithotripsie, Ureteroskopie)",
            ["Nierensteine", "Steinzertrümmerung", "ESWL", "Harnleiterspiegelung"],
        ),
        (
            "Лечение мочекаменной болезни (литотрипсия, уретероскопия)",
            ["камни в почках", "дробление камней", "литотрипсия", "уретероскопия"],
        ),
    ),
    "nephrectomy": (
        ("استئصال الكلية", ["إزالة الكلية", "استئصال الكلى"]),
        ("Nefrectomía", ["extirpación del riñón", "quitar un riñón", "cáncer de riñón cirugía"]),
        ("Nephrektomie", ["Nierenentfernung", "Nierenkrebs-OP", "Teilnephrektomie"]),
        ("Нефрэктомия", ["удаление почки", "рак почки операция", "резекция почки"]),
    ),
    "kidney-transplant": (
        ("زراعة الكلى", ["زرع كلية", "نقل كلية", "زراعة كلية"]),
        ("Trasplante de riñón", ["trasplante renal", "riñón nuevo", "donante de riñón"]),
        ("Nierentransplantation", ["Nieren-Tx", "Spenderniere", "neue Niere"]),
        ("Трансплантация почки", ["пересадка почки", "донорская почка"]),
    ),
    "penile-prosthesis": (
        ("زرع دعامة القضيب", ["دعامة العضو الذكري", "علاج ضعف الانتصاب", "الدعامة الهيدروليكية"]),
        ("Implante de prótesis de pene", ["prótesis de pene", "prótesis peneana", "disfunción eréctil", "impotencia"]),
        (
            "Implantation einer Penisprothese",
            ["Penisimplantat", "Schwellkörperimplantat", "Erektionsstörung", "hydraulische Penisprothese"],
        ),
        ("Фаллопротезирование", ["протез полового члена", "имплант при эректильной дисфункции", "фаллопротез"]),
    ),
    "holiday-dialysis": (
        ("غسيل الكلى أثناء السفر", ["غسيل كلى", "الغسيل الدموي", "دياليزا", "غسيل الكلى في الخارج"]),
        (
            "Hemodiálisis durante el viaje",
            ["diálisis en vacaciones", "diálisis de viaje", "hemodiálisis", "diálisis en el extranjero"],
        ),
        ("Hämodialyse auf Reisen", ["Urlaubsdialyse", "Feriendialyse", "Dialyse im Ausland", "Gastdialyse"]),
        ("Гемодиализ во время поездки", ["диализ за границей", "диализ в отпуске", "гемодиализ в путешествии"]),
    ),
    "ivf": (
        ("الإخصاب في المختبر", ["أطفال الأنابيب", "التلقيح الصناعي", "الحقن المجهري", "IVF"]),
        (
            "Fecundación in vitro (FIV)",
            ["FIV", "fertilización in vitro", "tratamiento de fertilidad", "bebé probeta", "reproducción asistida"],
        ),
        ("In-vitro-Fertilisation (IVF)", ["IVF", "künstliche Befruchtung", "Kinderwunschbehandlung", "Retortenbaby"]),
        ("Экстракорпоральное оплодотворение (ЭКО)", ["ЭКО", "оплодотворение в пробирке", "лечение бесплодия", "IVF"]),
    ),
    "icsi": (
        ("الحقن المجهري للحيوان المنوي داخل البويضة", ["الحقن المجهري", "إكسي", "ICSI"]),
        ("Microinyección espermática (ICSI)", ["ICSI", "inyección intracitoplasmática", "microinyección", "FIV-ICSI"]),
        ("Intrazytoplasmatische Spermieninjektion (ICSI)", ["ICSI", "Spermieninjektion", "IVF mit ICSI"]),
        ("Интрацитоплазматическая инъекция сперматозоида (ИКСИ)", ["ИКСИ", "ICSI", "ЭКО с ИКСИ"]),
    ),
    "egg-donation": (
        ("أطفال الأنابيب ببويضة متبرع بها", ["التبرع بالبويضات", "بويضات متبرعة", "بويضة متبرع"]),
        ("FIV con donación de óvulos", ["ovodonación", "donación de óvulos", "óvulos de donante", "FIV con donante"]),
        ("IVF mit Eizellspende", ["Eizellspende", "Spendereizellen", "Eizellspenderin"]),
        ("ЭКО с донорскими яйцеклетками", ["донорские яйцеклетки", "донация ооцитов", "донор яйцеклетки"]),
    ),
    "sperm-donation": (
        (
            "الإنجاب المساعد بحيوانات منوية من متبرع",
            ["التبرع بالحيوانات المنوية", "بنك الحيوانات المنوية", "حيوانات منوية متبرع"],
        ),
        (
            "Reproducción asistida con semen de donante",
            ["semen de donante", "donación de esperma", "banco de semen", "inseminación con donante"],
        ),
        (
            "Kinderwunschbehandlung mit Spendersamen",
            ["Samenspende", "Spendersamen", "Samenspender", "donogene Insemination"],
        ),
        (
            "Вспомогательные репродуктивные технологии с донорской спермой",
            ["донорская сперма", "донор спермы", "инсеминация донорской спермой"],
        ),
    ),
    "egg-freezing": (
        ("تجميد البويضات (التزجيج)", ["تجميد البيوض", "حفظ البويضات", "تجميد البويضات"]),
        (
            "Congelación de óvulos (vitrificación de ovocitos)",
            [
                "congelar óvulos",
                "vitrificación de óvulos",
                "preservación de fertilidad",
                "criopreservación de ovocitos",
            ],
        ),
        (
            "Einfrieren von Eizellen (Vitrifikation)",
            ["Social Freezing", "Eizellen einfrieren", "Fertilitätserhalt", "Kryokonservierung"],
        ),
        (
            "Криоконсервация ооцитов (витрификация)",
            ["заморозка яйцеклеток", "витрификация ооцитов", "сохранение фертильности"],
        ),
    ),
    "embryo-freezing": (
        ("تجميد الأجنة", ["حفظ الأجنة", "الأجنة المجمدة"]),
        (
            "Congelación de embriones",
            ["vitrificación de embriones", "criopreservación de embriones", "congelar embriones"],
        ),
        ("Kryokonservierung von Embryonen", ["Embryonen einfrieren", "Embryo-Kryokonservierung", "Vitrifikation"]),
        ("Криоконсервация эмбрионов", ["заморозка эмбрионов", "витрификация эмбрионов"]),
    ),
    "frozen-embryo-transfer": (
        ("نقل الأجنة المجمدة", ["إرجاع الأجنة المجمدة", "ترجيع الأجنة", "نقل الأجنة"]),
        (
            "Transferencia de embriones congelados",
            ["transferencia de embriones", "TEC", "transferencia embrionaria", "embriones vitrificados"],
        ),
        ("Kryo-Embryotransfer", ["Kryotransfer", "Embryotransfer", "FET", "Auftauzyklus"]),
        ("Перенос криоконсервированных эмбрионов", ["криоперенос", "перенос эмбрионов", "криопротокол"]),
    ),
    "iui": (
        ("التلقيح داخل الرحم", ["التلقيح الصناعي", "الحقن داخل الرحم", "الحقن الصناعي", "IUI"]),
        ("Inseminación intrauterina (IIU)", ["inseminación artificial", "IIU", "IUI", "inseminación"]),
        ("Intrauterine Insemination (IUI)", ["IUI", "Insemination", "künstliche Besamung", "Samenübertragung"]),
        ("Внутриматочная инсеминация (ВМИ)", ["ВМИ", "искусственная инсеминация", "инсеминация"]),
    ),
    "preimplantation-genetic-testing": (
        ("الفحص الجيني قبل الزرع", ["فحص الأجنة", "الفحص الوراثي للأجنة", "تحديد جنس الجنين", "PGT"]),
        (
            "Diagnóstico genético preimplantacional (DGP)",
            ["DGP", "PGT", "test genético de embriones", "PGT-A", "cribado genético preimplantacional"],
        ),
        ("Präimplantationsdiagnostik (PID)", ["PID", "PGT", "PGD", "Embryo-Gentest"]),
        ("Преимплантационное генетическое тестирование (ПГТ)", ["ПГТ", "ПГД", "генетический анализ эмбрионов", "PGT"]),
    ),
    "fertility-assessment": (
        ("تقييم الخصوبة", ["فحص الخصوبة", "تحاليل تأخر الإنجاب", "فحص العقم"]),
        (
            "Estudio de fertilidad",
            [
                "estudio de infertilidad",
                "pruebas de fertilidad",
                "seminograma",
                "reserva ovárica",
                "no me quedo embarazada",
            ],
        ),
        ("Fruchtbarkeitsuntersuchung", ["Fruchtbarkeitstest", "Kinderwunsch-Check", "AMH-Test", "Spermiogramm"]),
        (
            "Обследование фертильности",
            ["обследование на бесплодие", "анализ АМГ", "проверка фертильности", "спермограмма"],
        ),
    ),
    "hysterectomy": (
        ("استئصال الرحم", ["إزالة الرحم", "شيل الرحم", "عملية الرحم"]),
        (
            "Histerectomía",
            ["extirpación del útero", "quitar la matriz", "quitar el útero", "histerectomía laparoscópica"],
        ),
        ("Hysterektomie", ["Gebärmutterentfernung", "Gebärmutter-OP", "laparoskopische Hysterektomie"]),
        ("Гистерэктомия", ["удаление матки", "экстирпация матки", "лапароскопическое удаление матки"]),
    ),
    "myomectomy": (
        ("استئصال الأورام الليفية الرحمية", ["الألياف الرحمية", "ورم ليفي", "إزالة الليف", "الفيبروم"]),
        ("Extirpación de miomas (miomectomía)", ["miomas", "fibromas uterinos", "quitar miomas", "miomectomía"]),
        ("Myomentfernung (Myomektomie)", ["Myome", "Myom-OP", "Gebärmuttermyom", "Myomenukleation"]),
        ("Миомэктомия (удаление миомы)", ["удаление миомы матки", "миома операция", "миомы"]),
    ),
    "endometriosis-surgery": (
        ("جراحة بطانة الرحم المهاجرة", ["الانتباذ البطاني الرحمي", "بطانة الرحم المهاجرة", "منظار بطانة الرحم"]),
        (
            "Cirugía de endometriosis",
            ["endometriosis", "laparoscopia de endometriosis", "quistes de endometriosis", "endometrioma"],
        ),
        (
            "Endometriose-Operation",
            ["Endometriose", "Endometriose-Bauchspiegelung", "Endometriose-Behandlung", "Laparoskopie"],
        ),
        (
            "Хирургическое лечение эндометриоза",
            ["эндометриоз операция", "лапароскопия эндометриоза", "лечение эндометриоза"],
        ),
    ),
    "gynaecological-check-up": (
        ("الفحص النسائي الشامل", ["فحص نسائي", "كشف نسائي", "مسحة عنق الرحم"]),
        (
            "Revisión ginecológica",
            ["chequeo ginecológico", "citología", "revisión del ginecólogo", "ecografía ginecológica"],
        ),
        ("Gynäkologische Vorsorgeuntersuchung", ["Frauenarzt-Check", "Krebsvorsorge Frau", "Abstrich", "PAP-Test"]),
        (
            "Гинекологический чекап",
            ["осмотр гинеколога", "гинекологическое обследование", "мазок на цитологию", "женский чекап"],
        ),
    ),
    "dental-implant": (
        ("زراعة الأسنان", ["زرع سن", "زراعة ضرس", "غرسة سنية", "تركيب زرعة"]),
        ("Implante dental", ["implantes dentales", "implante de diente", "tornillo dental", "poner un diente"]),
        ("Zahnimplantat", ["Implantat", "Zahnimplantate", "künstliche Zahnwurzel", "Implantatzahn"]),
        ("Дентальная имплантация", ["зубной имплант", "импланты зубов", "имплантация зубов", "вживление зуба"]),
    ),
    "all-on-4": (
        (
            "جسر الفك الكامل على أربع زرعات (All-on-4)",
            ["أول اون فور", "زراعة الفك كامل", "طقم ثابت على زرعات", "All-on-4"],
        ),
        (
            "Puente completo sobre 4 implantes (All-on-4)",
            ["All-on-4", "dientes fijos en un día", "prótesis sobre implantes", "arcada completa", "dentadura fija"],
        ),
        (
            "All-on-4-Implantatbrücke (ganzer Kiefer)",
            ["All-on-4", "feste Zähne an einem Tag", "Implantatprothese", "Vollversorgung auf Implantaten"],
        ),
        (
            "Протезирование на 4 имплантах (All-on-4)",
            ["all on 4", "все на четырёх", "зубы за один день", "несъёмный протез на имплантах"],
        ),
    ),
    "dental-veneers": (
        ("القشور الخزفية للأسنان", ["فينير", "عدسات الأسنان", "ابتسامة هوليود", "لومينير"]),
        ("Carillas dentales", ["carillas", "carillas de porcelana", "carillas de composite", "diseño de sonrisa"]),
        ("Veneers", ["Verblendschalen", "Keramikveneers", "Hollywood-Lächeln", "Zahnschalen"]),
        ("Стоматологические виниры", ["виниры", "керамические виниры", "голливудская улыбка", "турецкие зубы"]),
    ),
    "dental-crown": (
        ("تاج الأسنان", ["تلبيسة الأسنان", "تركيبة سن", "تاج زيركون", "تلبيس الأسنان"]),
        ("Corona dental", ["corona", "funda dental", "corona de porcelana", "corona de zirconio"]),
        ("Zahnkrone", ["Krone", "Zirkonkrone", "Keramikkrone", "Kronen"]),
        ("Зубная коронка", ["коронка на зуб", "коронки", "циркониевая коронка", "металлокерамика"]),
    ),
    "dental-bridge": (
        ("جسر الأسنان", ["جسر ثابت", "تركيبة جسر"]),
        ("Puente dental", ["puente", "puente fijo", "prótesis fija dental"]),
        ("Zahnbrücke", ["Brücke", "festsitzende Brücke", "Brücken"]),
        ("Зубной мост", ["мостовидный протез", "мост на зубы", "несъёмный мост"]),
    ),
    "root-canal-treatment": (
        ("علاج قناة الجذر", ["علاج العصب", "سحب العصب", "حشو العصب"]),
        ("Endodoncia", ["matar el nervio", "tratamiento de conducto", "endodoncia", "desvitalización"]),
        ("Wurzelkanalbehandlung", ["Wurzelbehandlung", "Endodontie", "Zahnnerv entfernen"]),
        (
            "Эндодонтическое лечение (лечение корневых каналов)",
            ["лечение каналов", "депульпирование", "удаление нерва зуба", "пульпит"],
        ),
    ),
    "teeth-whitening": (
        ("تبييض الأسنان", ["تبييض", "تبييض بالليزر", "تفتيح الأسنان"]),
        ("Blanqueamiento dental", ["blanquear dientes", "blanqueamiento", "dientes blancos"]),
        ("Zahnaufhellung (Bleaching)", ["Bleaching", "Zähne bleichen", "weiße Zähne", "Zahnaufhellung"]),
        ("Отбеливание зубов", ["отбеливание", "белые зубы", "осветление зубов"]),
    ),
    "dentures": (
        ("أطقم الأسنان", ["طقم أسنان", "طقم متحرك", "أسنان صناعية"]),
        (
            "Prótesis dental removible",
            ["dentadura postiza", "prótesis removible", "dentadura completa", "placa dental"],
        ),
        ("Herausnehmbarer Zahnersatz (Prothese)", ["Gebiss", "Zahnprothese", "dritte Zähne", "Teilprothese"]),
        ("Съёмные зубные протезы", ["вставные зубы", "съёмный протез", "частичный протез", "челюсть протез"]),
    ),
    "wisdom-tooth-extraction": (
        ("خلع ضرس العقل", ["ضرس العقل", "قلع ضرس العقل", "جراحة ضرس العقل"]),
        (
            "Extracción de muelas del juicio",
            ["muelas del juicio", "cordales", "sacar muela del juicio", "tercer molar"],
        ),
        ("Weisheitszahnentfernung", ["Weisheitszähne ziehen", "Weisheitszahn-OP", "Zahnextraktion", "Zahn ziehen"]),
        ("Удаление зуба мудрости", ["удаление восьмёрки", "зуб мудрости", "удаление зуба"]),
    ),
    "sinus-lift": (
        ("رفع الجيب الأنفي", ["رفع الجيوب", "رفع الجيب الفكي", "ساينس ليفت"]),
        ("Elevación de seno maxilar", ["elevación de seno", "sinus lift", "injerto de seno"]),
        (
            "Sinuslift (Kieferhöhlenbodenaugmentation)",
            ["Sinuslift", "Kieferhöhle auffüllen", "Knochenaufbau Oberkiefer"],
        ),
        ("Синус-лифтинг", ["синус-лифт", "поднятие дна пазухи", "костная пластика пазухи"]),
    ),
    "dental-bone-graft": (
        ("ترقيع عظم الفك للأسنان", ["زراعة عظم", "تطعيم العظم", "ترقيع العظم"]),
        (
            "Injerto óseo dental",
            ["injerto de hueso", "regeneración ósea", "falta de hueso para implante", "injerto óseo"],
        ),
        (
            "Kieferknochenaufbau",
            ["Knochenaufbau", "Knochentransplantat Kiefer", "Augmentation", "Knochenaufbau für Implantate"],
        ),
        ("Костная пластика челюсти", ["наращивание кости", "костная пластика под импланты", "аугментация кости"]),
    ),
    "clear-aligners": (
        ("مصففات الأسنان الشفافة", ["التقويم الشفاف", "إنفزلاين", "تقويم شفاف", "Invisalign"]),
        ("Alineadores transparentes", ["Invisalign", "ortodoncia invisible", "alineadores", "férulas transparentes"]),
        ("Transparente Aligner", ["unsichtbare Zahnspange", "Invisalign", "Aligner", "durchsichtige Schienen"]),
        ("Прозрачные элайнеры", ["элайнеры", "капы для выравнивания зубов", "Invisalign", "невидимые брекеты"]),
    ),
    "orthodontic-braces": (
        ("تقويم الأسنان بالأسلاك", ["تقويم الأسنان", "تقويم معدني", "تقويم"]),
        ("Ortodoncia con brackets", ["brackets", "aparato de dientes", "aparato dental", "ortodoncia"]),
        ("Feste Zahnspange (Multibracket)", ["Zahnspange", "Brackets", "feste Spange", "Zähne richten"]),
        ("Брекет-система", ["брекеты", "выравнивание зубов", "исправление прикуса"]),
    ),
    "orthognathic-surgery": (
        ("جراحة تقويم الفكين", ["عملية الفك", "تقديم الفك", "تصحيح الفك"]),
        (
            "Cirugía ortognática (de los maxilares)",
            ["cirugía de mandíbula", "cirugía ortognática", "prognatismo", "mandíbula desviada"],
        ),
        (
            "Orthognathe Chirurgie (Kieferumstellung)",
            ["Kiefer-OP", "Kieferumstellung", "Dysgnathie-OP", "Kieferkorrektur"],
        ),
        (
            "Ортогнатическая хирургия (операция на челюсти)",
            ["операция на челюсти", "исправление прикуса хирургически", "коррекция челюсти"],
        ),
    ),
    "cataract-surgery": (
        ("جراحة إعتام عدسة العين", ["المياه البيضاء", "الماء الأبيض", "عملية الكتاراكت", "زرع عدسة"]),
        ("Cirugía de cataratas", ["cataratas", "operación de cataratas", "facoemulsificación", "lente intraocular"]),
        ("Kataraktoperation", ["Grauer Star", "Grauer-Star-OP", "Linsentausch", "Phakoemulsifikation"]),
        (
            "Хирургия катаракты",
            ["удаление катаракты", "замена хрусталика", "факоэмульсификация", "операция на катаракте"],
        ),
    ),
    "lasik": (
        ("جراحة العيون بالليزر (الليزك)", ["الليزك", "تصحيح النظر بالليزر", "ليزر العيون", "LASIK"]),
        (
            "Cirugía ocular láser LASIK",
            ["LASIK", "operación de miopía", "láser de ojos", "cirugía refractiva", "quitarse las gafas"],
        ),
        ("LASIK-Augenlaserbehandlung", ["Augenlasern", "LASIK", "Augen lasern", "Laser gegen Kurzsichtigkeit"]),
        (
            "Лазерная коррекция зрения LASIK",
            ["ЛАСИК", "LASIK", "лазерная коррекция зрения", "лазерная операция на глаза"],
        ),
    ),
    "prk": (
        ("استئصال القرنية الانكساري الضوئي", ["الليزك السطحي", "بي آر كي", "PRK"]),
        ("Queratectomía fotorrefractiva (PRK)", ["PRK", "LASEK", "láser de superficie", "cirugía refractiva"]),
        ("Photorefraktive Keratektomie (PRK)", ["PRK", "Oberflächenlaser", "LASEK", "Augenlasern"]),
        ("Фоторефрактивная кератэктомия (ФРК)", ["ФРК", "PRK", "ЛАСЕК", "поверхностная лазерная коррекция"]),
    ),
    "smile": (
        ("جراحة العيون بالليزر بتقنية سمايل", ["سمايل ليزك", "ريليكس سمايل", "SMILE"]),
        ("Cirugía ocular láser SMILE", ["SMILE", "ReLEx SMILE", "láser de miopía sin flap", "cirugía refractiva"]),
        ("SMILE-Augenlaserbehandlung", ["SMILE", "ReLEx SMILE", "minimalinvasives Augenlasern"]),
        ("Лазерная коррекция зрения SMILE", ["SMILE", "ReLEx SMILE", "смайл коррекция"]),
    ),
    "phakic-lens-implant": (
        (
            "زرع العدسة داخل العين مع الاحتفاظ بالعدسة الطبيعية",
            ["زراعة العدسات", "العدسة اللاصقة المزروعة", "آي سي إل", "ICL"],
        ),
        (
            "Implante de lente intraocular fáquica (ICL)",
            ["ICL", "lente fáquica", "lente intraocular", "lentes implantables", "miopía alta"],
        ),
        (
            "Implantation einer phaken Intraokularlinse (ICL)",
            ["ICL", "implantierbare Kontaktlinse", "Linsenimplantat Kurzsichtigkeit", "phake Linse"],
        ),
        (
            "Имплантация факичной интраокулярной линзы (ICL)",
            ["ICL", "имплантируемая линза", "линза при близорукости", "факичная линза"],
        ),
    ),
    "corneal-transplant": (
        ("زراعة القرنية (رأب القرنية)", ["زرع قرنية", "ترقيع القرنية", "نقل قرنية"]),
        ("Trasplante de córnea (queratoplastia)", ["trasplante de córnea", "queratoplastia", "injerto de córnea"]),
        ("Hornhauttransplantation (Keratoplastik)", ["Hornhaut-Tx", "Keratoplastik", "DMEK", "Hornhautverpflanzung"]),
        ("Трансплантация роговицы (кератопластика)", ["пересадка роговицы", "кератопластика", "DMEK"]),
    ),
    "corneal-cross-linking": (
        (
            "تثبيت القرنية بالربط المتصالب لعلاج القرنية المخروطية",
            ["القرنية المخروطية", "تثبيت القرنية", "كروس لينكينج"],
        ),
        ("Crosslinking corneal para queratocono", ["crosslinking", "cross-linking", "queratocono", "CXL"]),
        ("Hornhaut-Crosslinking bei Keratokonus", ["Crosslinking", "CXL", "Keratokonus", "Keratokonus-Behandlung"]),
        ("Кросслинкинг роговицы при кератоконусе", ["кросслинкинг", "кератоконус лечение", "CXL"]),
    ),
    "glaucoma-surgery": (
        ("جراحة الزرق", ["المياه الزرقاء", "الجلوكوما", "ضغط العين"]),
        ("Cirugía de glaucoma", ["glaucoma", "trabeculectomía", "tensión ocular", "presión en el ojo"]),
        ("Glaukomoperation", ["Grüner Star", "Grüner-Star-OP", "Trabekulektomie", "Glaukom-Laser"]),
        ("Хирургия глаукомы", ["операция при глаукоме", "трабекулэктомия", "лазер при глаукоме"]),
    ),
    "vitrectomy": (
        ("استئصال الجسم الزجاجي (جراحة الشبكية)", ["عملية الشبكية", "انفصال الشبكية", "سحب الجسم الزجاجي"]),
        (
            "Vitrectomía (cirugía de retina)",
            ["vitrectomía", "desprendimiento de retina", "cirugía de retina", "agujero macular"],
        ),
        (
            "Vitrektomie (Netzhautchirurgie)",
            ["Netzhautablösung", "Netzhaut-OP", "Glaskörperentfernung", "Netzhautchirurgie"],
        ),
        (
            "Витрэктомия (операция на сетчатке)",
            ["отслойка сетчатки", "операция на сетчатке", "витреоретинальная хирургия"],
        ),
    ),
    "gastric-sleeve": (
        ("تكميم المعدة", ["التكميم", "عملية التكميم", "قص المعدة", "عملية السمنة"]),
        (
            "Gastrectomía vertical (manga gástrica)",
            ["manga gástrica", "sleeve", "gastrectomía en manga", "reducción de estómago", "cirugía de obesidad"],
        ),
        (
            "Schlauchmagen (Sleeve-Gastrektomie)",
            ["Schlauchmagen", "Magenverkleinerung", "Adipositaschirurgie", "bariatrische OP", "Abnehm-OP"],
        ),
        (
            "Продольная резекция желудка (слив)",
            [
                "слив",
                "рукавная гастрэктомия",
                "уменьшение желудка",
                "бариатрическая операция",
                "операция для похудения",
            ],
        ),
    ),
    "gastric-bypass": (
        ("تحويل مسار المعدة", ["تحويل المسار", "عملية تحويل المسار", "جراحة السمنة"]),
        (
            "Bypass gástrico",
            ["bypass gástrico", "baipás gástrico", "by-pass gástrico", "cirugía bariátrica", "reducción de estómago"],
        ),
        ("Magenbypass", ["Roux-en-Y-Bypass", "Magenbypass-OP", "Adipositaschirurgie", "bariatrische OP"]),
        (
            "Желудочное шунтирование",
            ["гастрошунтирование", "шунтирование желудка по Ру", "бариатрическая операция", "операция для похудения"],
        ),
    ),
    "mini-gastric-bypass": (
        ("تحويل مسار المعدة المصغر (بمفاغرة واحدة)", ["تحويل المسار المصغر", "ميني باس", "تحويل مسار مصغر"]),
        (
            "Bypass gástrico de una anastomosis (minibypass)",
            ["minibypass", "mini bypass gástrico", "BAGUA", "OAGB", "bypass de una anastomosis"],
        ),
        ("Omega-Loop-Magenbypass (Mini-Bypass)", ["Mini-Bypass", "Omega-Loop", "OAGB", "MGB"]),
        ("Мини-гастрошунтирование (с одним анастомозом)", ["мини-шунтирование", "мини-байпас", "MGB", "OAGB"]),
    ),
    "gastric-band": (
        ("ربط المعدة", ["حزام المعدة", "ربط المعدة بالمنظار"]),
        ("Banda gástrica", ["banda gástrica", "anillo gástrico", "banda gástrica ajustable"]),
        ("Magenband", ["verstellbares Magenband", "Lap-Band", "Magenband-OP"]),
        ("Бандажирование желудка", ["желудочный бандаж", "бандаж желудка", "регулируемый бандаж"]),
    ),
    "cholecystectomy": (
        ("استئصال المرارة", ["إزالة المرارة", "حصى المرارة", "شيل المرارة", "منظار المرارة"]),
        (
            "Extirpación de la vesícula biliar (colecistectomía)",
            ["vesícula", "piedras en la vesícula", "colecistectomía", "cálculos biliares", "quitar la vesícula"],
        ),
        (
            "Gallenblasenentfernung (Cholezystektomie)",
            ["Gallen-OP", "Gallensteine", "Gallenblase entfernen", "Cholezystektomie"],
        ),
        (
            "Холецистэктомия (удаление желчного пузыря)",
            ["удаление желчного пузыря", "камни в желчном", "желчнокаменная болезнь операция"],
        ),
    ),
    "anti-reflux-surgery": (
        (
            "جراحة علاج الارتجاع (تثنية قاع المعدة)",
            ["الارتجاع المريئي", "فتق الحجاب الحاجز", "عملية الارتجاع", "حرقة المعدة"],
        ),
        (
            "Cirugía antirreflujo (funduplicatura)",
            ["reflujo", "funduplicatura", "Nissen", "hernia de hiato", "ardor de estómago"],
        ),
        ("Antirefluxoperation (Fundoplicatio)", ["Fundoplicatio", "Sodbrennen-OP", "Reflux-OP", "Zwerchfellbruch"]),
        (
            "Антирефлюксная операция (фундопликация)",
            [
                "фундопликация",
                "фундопликация по Ниссену",
                "рефлюкс операция",
                "ГЭРБ операция",
                "грыжа пищеводного отверстия",
            ],
        ),
    ),
    "colectomy": (
        ("استئصال القولون", ["إزالة جزء من القولون", "عملية القولون", "سرطان القولون جراحة"]),
        ("Colectomía", ["extirpación del colon", "cirugía de colon", "cáncer de colon cirugía", "hemicolectomía"]),
        ("Kolektomie", ["Darmresektion", "Dickdarm-OP", "Darmkrebs-OP", "Darmteilentfernung"]),
        ("Колэктомия", ["резекция кишки", "операция на толстой кишке", "рак кишечника операция"]),
    ),
    "liver-transplant": (
        ("زراعة الكبد", ["زرع كبد", "نقل كبد", "زراعة جزء من الكبد"]),
        ("Trasplante de hígado", ["trasplante hepático", "hígado nuevo", "donante de hígado"]),
        ("Lebertransplantation", ["Leber-Tx", "Spenderleber", "neue Leber"]),
        ("Трансплантация печени", ["пересадка печени", "донорская печень"]),
    ),
    "inguinal-hernia-repair": (
        ("إصلاح الفتق الإربي", ["فتق", "فتق الأربية", "عملية الفتق", "الفتق الإربي"]),
        (
            "Reparación de hernia inguinal",
            ["hernia inguinal", "hernia en la ingle", "hernioplastia", "operación de hernia"],
        ),
        ("Leistenbruchoperation", ["Leistenbruch", "Hernien-OP", "Leistenhernie", "Bruch-OP"]),
        ("Герниопластика паховой грыжи", ["паховая грыжа", "удаление грыжи", "операция на грыже", "грыжесечение"]),
    ),
    "gastric-balloon": (
        ("بالون المعدة", ["بالون التخسيس", "بالون المعدة للتنحيف"]),
        ("Balón intragástrico", ["balón gástrico", "balón intragástrico", "balón para adelgazar"]),
        ("Magenballon", ["intragastraler Ballon", "Ballon zum Abnehmen", "Magenballon zum Abnehmen"]),
        ("Внутрижелудочный баллон", ["баллон в желудок", "баллон для похудения", "желудочный баллон"]),
    ),
    "endoscopic-sleeve-gastroplasty": (
        ("تكميم المعدة بالمنظار", ["التكميم بالمنظار", "تدبيس المعدة بالمنظار", "تكميم بدون جراحة"]),
        (
            "Gastroplastia endoscópica en manga",
            ["método Apollo", "gastroplastia endoscópica", "manga endoscópica", "POSE", "ESG"],
        ),
        (
            "Endoskopische Sleeve-Gastroplastik",
            ["ESG", "endoskopische Magenverkleinerung", "Magenverkleinerung ohne OP", "Akkordeon-Methode"],
        ),
        (
            "Эндоскопическая продольная гастропластика",
            ["ESG", "эндоскопический слив", "слив без разрезов", "гофрирование желудка"],
        ),
    ),
    "colonoscopy": (
        ("تنظير القولون", ["منظار القولون", "منظار سفلي", "منظار الأمعاء"]),
        ("Colonoscopia", ["colonoscopia", "colonoscopía", "pólipos", "cribado de cáncer de colon"]),
        ("Koloskopie", ["Darmspiegelung", "Darmkrebsvorsorge", "Dickdarmuntersuchung"]),
        ("Колоноскопия", ["обследование кишечника", "колоноскопия под наркозом", "скрининг рака кишечника"]),
    ),
    "gastroscopy": (
        ("تنظير المعدة (التنظير الهضمي العلوي)", ["منظار المعدة", "منظار علوي", "منظار الجهاز الهضمي"]),
        (
            "Gastroscopia (endoscopia digestiva alta)",
            ["gastroscopia", "endoscopia", "endoscopia digestiva", "gastroscopía"],
        ),
        ("Gastroskopie (Magenspiegelung)", ["Magenspiegelung", "ÖGD", "Endoskopie", "Magenuntersuchung"]),
        ("Гастроскопия (ЭГДС)", ["ФГДС", "ЭГДС", "глотать зонд", "эндоскопия желудка"]),
    ),
    "rhinoplasty": (
        ("رأب الأنف", ["تجميل الأنف", "عملية الأنف", "تصغير الأنف"]),
        ("Rinoplastia", ["cirugía de nariz", "operación de nariz", "rinoplastia", "nariz"]),
        ("Rhinoplastik", ["Nasenkorrektur", "Nasen-OP", "Schönheits-OP Nase", "Nase operieren"]),
        ("Ринопластика", ["пластика носа", "исправление носа", "операция на носу", "коррекция носа"]),
    ),
    "breast-augmentation": (
        ("تكبير الثدي", ["تكبير الصدر", "حشوات السيليكون", "زراعة الثدي"]),
        (
            "Aumento de mamas",
            [
                "aumento de pecho",
                "implantes mamarios",
                "prótesis mamarias",
                "mamoplastia de aumento",
                "operarse el pecho",
            ],
        ),
        ("Brustvergrößerung", ["Brustimplantate", "Brust-OP", "Silikonimplantate", "Augmentationsmammaplastik"]),
        (
            "Увеличение груди (аугментационная маммопластика)",
            ["увеличение груди", "грудные импланты", "маммопластика", "импланты груди"],
        ),
    ),
    "breast-reduction": (
        ("تصغير الثدي", ["تصغير الصدر", "عملية تصغير الثدي"]),
        ("Reducción de mamas", ["reducción de pecho", "mamoplastia de reducción", "reducir el pecho"]),
        ("Brustverkleinerung", ["Reduktionsplastik", "kleinere Brüste", "Mammareduktion"]),
        (
            "Уменьшение груди (редукционная маммопластика)",
            ["уменьшение груди", "редукционная маммопластика", "операция по уменьшению груди"],
        ),
    ),
    "breast-lift": (
        ("رفع الثدي", ["شد الصدر", "رفع الصدر", "شد الثدي"]),
        ("Elevación de mamas (mastopexia)", ["levantamiento de pecho", "mastopexia", "elevar el pecho", "pecho caído"]),
        ("Bruststraffung (Mastopexie)", ["Mastopexie", "Bruststraffung", "Brustlift"]),
        ("Подтяжка груди (мастопексия)", ["мастопексия", "подтяжка груди", "лифтинг груди"]),
    ),
    "breast-reconstruction": (
        ("إعادة بناء الثدي", ["ترميم الثدي", "إعادة تشكيل الثدي بعد الاستئصال"]),
        (
            "Reconstrucción mamaria",
            ["reconstrucción de mama", "reconstrucción del pecho", "después de mastectomía", "colgajo DIEP"],
        ),
        ("Brustrekonstruktion", ["Brustaufbau", "Wiederaufbau nach Mastektomie", "DIEP-Lappen"]),
        (
            "Реконструкция молочной железы",
            ["восстановление груди после мастэктомии", "реконструкция груди", "DIEP-лоскут"],
        ),
    ),
    "abdominoplasty": (
        ("شد البطن", ["عملية البطن", "إزالة ترهلات البطن", "نحت البطن"]),
        (
            "Abdominoplastia",
            ["abdominoplastia", "cirugía de abdomen", "quitar la barriga", "lipectomía abdominal", "dermolipectomía"],
        ),
        (
            "Bauchdeckenstraffung (Abdominoplastik)",
            ["Bauchstraffung", "Abdominoplastik", "Fettschürze entfernen", "Mommy Makeover"],
        ),
        (
            "Абдоминопластика (пластика живота)",
            ["пластика живота", "подтяжка живота", "абдоминопластика", "мамин макияж"],
        ),
    ),
    "liposuction": (
        ("شفط الدهون", ["نحت الجسم", "فيزر", "تنسيق القوام"]),
        ("Liposucción", ["lipo", "liposucción", "lipoescultura", "quitar grasa"]),
        ("Fettabsaugung (Liposuktion)", ["Fettabsaugung", "Lipo", "Liposkulptur", "Vaser-Liposuktion"]),
        ("Липосакция", ["липо", "удаление жира", "липоскульптура", "вейзер-липосакция"]),
    ),
    "facelift": (
        ("شد الوجه", ["رفع الوجه", "شد الرقبة"]),
        ("Estiramiento facial (lifting)", ["lifting facial", "lifting", "ritidectomía", "estiramiento de cara"]),
        ("Facelift", ["Gesichtsstraffung", "Halsstraffung", "Rhytidektomie", "Facelifting"]),
        ("Подтяжка лица (ритидэктомия)", ["фейслифтинг", "подтяжка лица", "ритидэктомия", "подтяжка шеи"]),
    ),
    "blepharoplasty": (
        ("رأب الجفن", ["شد الجفون", "تجميل الجفون", "إزالة جيوب العين"]),
        (
            "Cirugía de párpados (blefaroplastia)",
            ["blefaroplastia", "párpados caídos", "bolsas de los ojos", "cirugía de párpados"],
        ),
        ("Lidstraffung (Blepharoplastik)", ["Lidstraffung", "Schlupflider", "Tränensäcke entfernen", "Augenlid-OP"]),
        (
            "Блефаропластика (пластика век)",
            ["пластика век", "подтяжка век", "удаление мешков под глазами", "нависшее веко"],
        ),
    ),
    "otoplasty": (
        ("تجميل الأذن", ["الأذن البارزة", "تصحيح الأذن", "شد الأذن"]),
        (
            "Corrección de orejas (otoplastia)",
            ["otoplastia", "orejas de soplillo", "orejas despegadas", "cirugía de orejas"],
        ),
        ("Ohrkorrektur (Otoplastik)", ["Ohren anlegen", "abstehende Ohren", "Ohranlegeplastik", "Segelohren"]),
        ("Отопластика (коррекция ушей)", ["отопластика", "лопоухость", "пластика ушей", "коррекция ушей"]),
    ),
    "brachioplasty": (
        ("شد الذراعين", ["شد الزنود", "ترهل الذراعين", "إزالة ترهلات الذراع"]),
        ("Elevación de brazos (braquioplastia)", ["braquioplastia", "lifting de brazos", "flacidez de brazos"]),
        ("Oberarmstraffung (Brachioplastik)", ["Armstraffung", "Oberarmstraffung", "Winkearme", "schlaffe Oberarme"]),
        ("Брахиопластика (подтяжка рук)", ["подтяжка рук", "подтяжка плеч", "пластика рук"]),
    ),
    "buttock-fat-transfer": (
        (
            "حقن الدهون في الأرداف (الرفع البرازيلي)",
            ["تكبير المؤخرة", "رفع الأرداف البرازيلي", "نقل الدهون للأرداف", "BBL"],
        ),
        (
            "Lipotransferencia a glúteos (Brazilian butt lift)",
            ["BBL", "aumento de glúteos", "lipoinyección de glúteos", "levantamiento brasileño", "gluteoplastia"],
        ),
        (
            "Eigenfetttransfer ins Gesäß (Brazilian Butt Lift)",
            ["BBL", "Brazilian Butt Lift", "Po-Vergrößerung", "Eigenfett Po"],
        ),
        (
            "Липофилинг ягодиц (бразильская подтяжка ягодиц)",
            ["бразильская подтяжка", "BBL", "увеличение ягодиц", "липофилинг ягодиц"],
        ),
    ),
    "gynaecomastia-surgery": (
        ("جراحة التثدي عند الرجال", ["تثدي الرجال", "إزالة ثدي الرجل", "صدر الرجال"]),
        ("Cirugía de ginecomastia", ["ginecomastia", "pecho masculino", "reducción de mamas en hombres"]),
        ("Gynäkomastie-Operation", ["Gynäkomastie", "Männerbrust", "Brustverkleinerung Mann"]),
        ("Хирургическое лечение гинекомастии", ["гинекомастия операция", "уменьшение груди у мужчин", "мужская грудь"]),
    ),
    "hair-transplant": (
        ("زراعة الشعر", ["الاقتطاف", "فيو", "علاج الصلع", "FUE"]),
        ("Trasplante capilar", ["injerto de pelo", "injerto capilar", "FUE", "trasplante de pelo", "calvicie"]),
        ("Haartransplantation", ["Haarverpflanzung", "FUE", "FUT", "Glatze", "Haarausfall"]),
        ("Трансплантация волос", ["пересадка волос", "FUE", "FUT", "облысение операция", "восстановление волос"]),
    ),
    "mohs-surgery": (
        ("جراحة موس المجهرية", ["جراحة موس", "سرطان الجلد جراحة", "استئصال ورم الجلد"]),
        (
            "Cirugía micrográfica de Mohs",
            ["cirugía de Mohs", "Mohs", "cáncer de piel cirugía", "carcinoma basocelular"],
        ),
        (
            "Mohs-Chirurgie (mikrographische Chirurgie)",
            ["Mohs", "Hautkrebs-OP", "Basaliom entfernen", "weißer Hautkrebs"],
        ),
        ("Микрографическая хирургия по Моосу", ["операция Мооса", "Mohs", "рак кожи операция", "удаление базалиомы"]),
    ),
    "laser-skin-resurfacing": (
        ("تجديد سطح الجلد بالليزر", ["الفراكشنال", "ليزر البشرة", "تقشير بالليزر", "ليزر الندبات"]),
        (
            "Rejuvenecimiento cutáneo con láser",
            ["láser facial", "láser CO2", "láser fraccionado", "manchas y arrugas", "resurfacing"],
        ),
        ("Laser-Skin-Resurfacing", ["CO2-Laser", "fraktionierter Laser", "Hautlaser", "Hauterneuerung mit Laser"]),
        ("Лазерная шлифовка кожи", ["лазерная шлифовка", "CO2-лазер", "фракционный лазер", "лазерное омоложение"]),
    ),
    "cochlear-implant": (
        ("زراعة القوقعة", ["القوقعة الإلكترونية", "زرع قوقعة", "علاج الصمم"]),
        ("Implante coclear", ["implante coclear", "sordera", "oído biónico", "implante auditivo"]),
        ("Cochlea-Implantat", ["CI", "Hörimplantat", "bionisches Ohr", "Innenohrimplantat"]),
        ("Кохлеарная имплантация", ["кохлеарный имплант", "слуховой имплант", "бионическое ухо"]),
    ),
    "septoplasty": (
        ("تقويم الحاجز الأنفي", ["انحراف الحاجز الأنفي", "عملية الحاجز", "عظمة الأنف"]),
        ("Septoplastia", ["tabique desviado", "septoplastia", "desviación del tabique nasal", "respirar por la nariz"]),
        ("Septumplastik", ["Nasenscheidewandbegradigung", "schiefe Nasenscheidewand", "verstopfte Nase", "Septum-OP"]),
        ("Септопластика", ["искривление перегородки носа", "операция на перегородке носа", "не дышит нос"]),
    ),
    "endoscopic-sinus-surgery": (
        ("جراحة الجيوب الأنفية بالمنظار", ["منظار الجيوب الأنفية", "التهاب الجيوب", "لحمية الأنف"]),
        ("Cirugía endoscópica nasosinusal", ["sinusitis", "cirugía de senos paranasales", "pólipos nasales", "FESS"]),
        ("Endoskopische Nasennebenhöhlenoperation", ["Nasennebenhöhlen-OP", "Sinusitis-OP", "Nasenpolypen", "FESS"]),
        (
            "Функциональная эндоскопическая хирургия пазух",
            ["операция на пазухах", "гайморит операция", "полипы в носу", "FESS"],
        ),
    ),
    "thyroidectomy": (
        ("استئصال الغدة الدرقية", ["إزالة الغدة الدرقية", "عملية الغدة الدرقية", "الدرقية", "تضخم الغدة الدرقية"]),
        ("Tiroidectomía", ["extirpación del tiroides", "quitar el tiroides", "nódulo tiroideo", "bocio"]),
        ("Thyreoidektomie", ["Schilddrüsen-OP", "Schilddrüsenentfernung", "Kropf-OP", "Struma"]),
        ("Тиреоидэктомия", ["удаление щитовидной железы", "операция на щитовидке", "зоб операция"]),
    ),
    "executive-health-check-up": (
        ("الفحص الطبي الشامل", ["فحص شامل", "تشيك أب", "فحص دوري", "فحص كامل للجسم"]),
        ("Chequeo médico ejecutivo", ["chequeo médico completo", "revisión médica", "check-up", "chequeo general"]),
        (
            "Umfassender Gesundheits-Check-up",
            ["Check-up", "Gesundheitscheck", "Vorsorgeuntersuchung", "Manager-Check-up", "Ganzkörper-Check"],
        ),
        (
            "Комплексный медицинский чекап",
            ["чекап", "полное обследование организма", "медосмотр", "обследование всего организма", "check-up"],
        ),
    ),
    "cancer-screening": (
        ("الكشف المبكر عن السرطان", ["فحص السرطان", "الكشف المبكر", "فحوصات الأورام"]),
        (
            "Cribado de cáncer",
            ["detección precoz del cáncer", "chequeo oncológico", "cribado oncológico", "marcadores tumorales"],
        ),
        ("Krebsvorsorge", ["Krebsfrüherkennung", "Krebstest", "Tumormarker", "Krebsvorsorgeuntersuchung"]),
        ("Онкоскрининг", ["проверка на рак", "онкомаркеры", "ранняя диагностика рака", "онкопоиск"]),
    ),
    "full-body-mri": (
        ("التصوير بالرنين المغناطيسي لكامل الجسم", ["رنين مغناطيسي للجسم كامل", "أشعة رنين كاملة", "MRI"]),
        (
            "Resonancia magnética de cuerpo entero",
            ["resonancia de cuerpo entero", "RM de cuerpo completo", "resonancia completa", "RMN cuerpo entero"],
        ),
        ("Ganzkörper-MRT", ["MRT", "Ganzkörper-Kernspin", "Kernspintomographie", "Ganzkörper-MRI"]),
        ("МРТ всего тела", ["МРТ", "магнитно-резонансная томография", "МРТ всего организма"]),
    ),
    "pet-ct-scan": (
        ("التصوير المقطعي بالإصدار البوزيتروني", ["بت سكان", "مسح ذري", "بيت سي تي", "PET-CT"]),
        ("PET-TC", ["PET-TAC", "PET", "PET-CT", "tomografía por emisión de positrones"]),
        ("PET-CT", ["PET", "PET-Scan", "Positronen-Emissions-Tomographie"]),
        ("ПЭТ-КТ", ["ПЭТ", "ПЭТ/КТ", "позитронно-эмиссионная томография", "PET-CT"]),
    ),
    "genetic-testing": (
        ("الفحص الجيني والاستشارة الوراثية", ["تحليل جيني", "فحص الجينات", "الاستشارة الوراثية", "تحليل DNA"]),
        ("Estudio y consejo genético", ["test genético", "prueba genética", "consejo genético", "análisis de ADN"]),
        ("Genetische Untersuchung und Beratung", ["Gentest", "DNA-Test", "genetische Beratung", "BRCA-Test"]),
        (
            "Генетическое тестирование и консультирование",
            ["ДНК-тест", "генетический анализ", "тест на BRCA", "наследственный рак"],
        ),
    ),
    "sleep-study": (
        (
            "دراسة انقطاع النفس أثناء النوم (تخطيط النوم)",
            ["دراسة النوم", "الشخير", "انقطاع النفس النومي", "توقف التنفس أثناء النوم"],
        ),
        (
            "Estudio de apnea del sueño (polisomnografía)",
            ["polisomnografía", "apnea del sueño", "estudio del sueño", "ronquidos"],
        ),
        (
            "Schlafapnoe-Untersuchung (Polysomnographie)",
            ["Schlaflabor", "Schlafapnoe", "Schnarchen", "Polysomnographie"],
        ),
        (
            "Исследование сна при апноэ (полисомнография)",
            ["полисомнография", "апноэ сна", "храп обследование", "сомнология"],
        ),
    ),
    "post-operative-rehabilitation": (
        (
            "إعادة التأهيل بعد الجراحة",
            ["العلاج الطبيعي", "علاج طبيعي بعد العملية", "التأهيل بعد العملية", "فيزيوثيرابي"],
        ),
        (
            "Rehabilitación postoperatoria",
            ["rehabilitación", "fisioterapia", "recuperación después de la operación", "rehabilitación tras cirugía"],
        ),
        ("Postoperative Rehabilitation", ["Reha", "Physiotherapie", "Krankengymnastik", "Reha nach OP"]),
        (
            "Послеоперационная реабилитация",
            ["реабилитация после операции", "физиотерапия", "восстановление после операции", "ЛФК"],
        ),
    ),
}


def translate(apps, schema_editor):
    Specialty = apps.get_model("providers", "Specialty")
    Procedure = apps.get_model("providers", "Procedure")
    for code, names in SPECIALTIES.items():
        Specialty.objects.filter(code=code).update(
            **{f"name_{lang}": name for lang, name in zip(LANGUAGES, names, strict=True)}
        )
    for code, entries in PROCEDURES.items():
        fields = {}
        for lang, (name, synonyms) in zip(LANGUAGES, entries, strict=True):
            fields[f"name_{lang}"] = name
            fields[f"synonyms_{lang}"] = synonyms
        Procedure.objects.filter(code=code).update(**fields)


def untranslate(apps, schema_editor):
    Specialty = apps.get_model("providers", "Specialty")
    Procedure = apps.get_model("providers", "Procedure")
    Specialty.objects.update(**{f"name_{lang}": "" for lang in LANGUAGES})
    Procedure.objects.update(
        **{f"name_{lang}": "" for lang in LANGUAGES}, **{f"synonyms_{lang}": [] for lang in LANGUAGES}
    )


class Migration(migrations.Migration):
    dependencies = [("providers", "0013_languages")]

    operations = [migrations.RunPython(translate, untranslate)]
