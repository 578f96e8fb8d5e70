"""Every sentence ``fitscope demo`` prints, in English, Russian, Spanish and Italian.

One flat catalog per language, keyed by the same names (a test checks that every language has
every key and the same ``{placeholders}``). Numbers are formatted before they are put in, by
the rules of the language (decimal comma for ru, es and it).
"""

from __future__ import annotations

from fitscope.doctor.i18n import LANGUAGES

__all__ = ["LANGUAGES", "TEXT"]

_EN = {
    # Part 1: the worked example
    "part1": "Part 1. Loss and accuracy on three people",
    "intro": (
        "Guess a person's gender (label 1 or 0) from weight and height with a logistic model "
        "without intercept: p(y=1) = 1 / (1 + exp(-(b1 * weight + b2 * height))). The model "
        "predicts 1 when p >= 0.5."
    ),
    "at_params": "Predictions at b1 = {b1}, b2 = {b2}",
    "person": "person",
    "weight": "weight, kg",
    "height": "height, cm",
    "label": "label",
    "probability": "p(y=1)",
    "predicted": "predicted",
    "loss": "log loss",
    "summed_loss": "Summed log loss (the loss):",
    "mean_loss": "Mean log loss:",
    "accuracy_line": "Accuracy (share correct):",
    "baseline_line": "Accuracy of always predicting {label}:",
    "loss_defined": (
        "Each person's log loss is -log of the probability the model gives their true label; "
        "the loss is their sum (or mean). Accuracy is the share of people on the right side "
        "of 0.5."
    ),
    "training_title": "Three optimizers minimise the loss, starting from b1 = b2 = 0",
    "solver": "optimizer",
    "epoch": "epoch",
    "summed_loss_col": "summed loss",
    "accuracy": "accuracy",
    "solver_gd": "gradient descent (step {lr})",
    "solver_adam": "Adam (step {lr})",
    "solver_newton": "Newton's method",
    "flip_note": (
        "{solver}: at epoch {epoch} the accuracy went from {before} to {after} while the loss "
        "kept falling."
    ),
    "gd_slow": (
        "Gradient descent is slow here: weight and height are large and almost proportional, "
        "so the loss is a long narrow valley and only tiny steps are stable. Newton's method "
        "uses the curvature and needs {epochs} epochs."
    ),
    "optimum_title": "At the minimum of the loss",
    "optimum_line": "Loss-optimal parameters: b1 = {b1}, b2 = {b2}, summed loss {loss}",
    "optimum_accuracy": (
        "Accuracy there: {accuracy}. Always predicting 0 scores {baseline}, with no model at all."
    ),
    "lesson": (
        "Loss and accuracy measure different things. The loss asks how much probability the "
        "model gives the truth and changes smoothly with every parameter, so an optimizer can "
        "follow it downhill. Accuracy asks only which side of 0.5 each probability falls on. "
        "Lowering the loss made the probabilities better overall, yet two people sit just on "
        "the wrong side of 0.5."
    ),
    "surfaces_title": "The loss and the accuracy over (b1, b2)",
    "loss_panel": "summed log loss (darker = lower)",
    "accuracy_panel": "accuracy (flat steps)",
    "surfaces_legend": (
        "o start (b1 = {b1}, b2 = {b2}), * loss minimum. Loss shades: {levels}. Accuracy: "
        "'{low_char}' = {low}, '{high_char}' = {high}."
    ),
    "surfaces_lesson": (
        "The loss is a smooth bowl: at every point its slope says which way is down. Accuracy "
        "is flat almost everywhere and jumps at the lines where a person's prediction flips: "
        "its gradient is zero, so gradient descent cannot optimise it."
    ),
    "png_written": "Picture of both surfaces: {path}",
    "png_skipped_quick": "(--quick: the PNG of the surfaces is written by the full demo.)",
    "png_missing": ('(The PNG of the surfaces needs matplotlib: pip install "fitscope[plot]".)'),
    # Part 2: a real run that overfits
    "part2": "Part 2. A real run that overfits",
    "run_intro": (
        "Handwritten digits (8x8 pixels), task: is the digit even? The data are split into "
        "{n_train} training images (fitted), {n_val} validation images (watched each epoch, "
        "used to stop) and {n_test} test images (scored once, at the end). The model, a "
        "logistic regression on the {n_features} raw pixels trained by Adam with almost no "
        "penalty, has enough parameters to memorise its few training images."
    ),
    "run_stored": "Every epoch was recorded in run {run} ({name}) in {store}.",
    "train_loss": "train loss",
    "train_accuracy": "train accuracy",
    "val_loss": "val loss",
    "val_accuracy": "val accuracy",
    "best_marker": "best",
    "overfit_summary": (
        "From epoch {best} on, the training loss kept falling ({train_best} -> {train_last}) "
        "while the validation loss rose ({val_best} -> {val_last}): the model learns the "
        "training images, not digits. That is overfitting."
    ),
    "early_stop": (
        "Early stopping waited {patience} epochs for the validation loss to improve, stopped "
        "at epoch {last} and restored the weights of epoch {best}."
    ),
    "no_early_stop": (
        "Training ran all {last} epochs; the best validation loss was at epoch {best}."
    ),
    "test_line": (
        "Test set, scored once with the weights of epoch {best}: accuracy {accuracy}, log "
        "loss {loss}."
    ),
    "test_why": (
        "The test images played no part in training or in stopping, so this is an honest "
        "estimate; looking at it repeatedly to choose settings would make it one more "
        "validation set."
    ),
    # Part 3: when accuracy hides a problem
    "part3": "Part 3. When a high accuracy hides a problem",
    "case": "case",
    "positives": "positives",
    "baseline_col": "majority baseline",
    "balanced_accuracy": "balanced accuracy",
    "prior_loss": "prior log loss",
    "worst_share": "loss share of worst 1%",
    "case_imbalanced": "is it a 9? (ink only)",
    "case_clean": "3 or 8? clean labels",
    "case_confident_mistakes": "3 or 8? {n} labels wrong",
    "imbalanced_lesson": (
        "Imbalance: only {positives} of the digits are 9s. A model that sees only the amount "
        "of ink scores {accuracy}, exactly what always answering 'not a 9' scores; its "
        "balanced accuracy is {balanced} and its log loss ({loss}) is no better than the "
        "prior log loss ({prior}) of predicting the class frequencies. It learned nothing."
    ),
    "confident_lesson": (
        "Confident mistakes: on clean labels the model scores {clean_accuracy} with log loss "
        "{clean_loss}. With {n} of {total} labels wrong the accuracy barely moves "
        "({accuracy}), but the log loss grows to {loss}, and the worst 1% of the samples "
        "({n_worst}) carry {share} of it: a confident wrong answer costs far more than an "
        "unsure one. A large loss behind a high accuracy points at a few confident mistakes, "
        "often wrong labels."
    ),
    "three_cases": (
        "Three pictures: low accuracy with a huge loss (confidently wrong), high accuracy "
        "with a huge loss (a few confident mistakes), high accuracy with a low loss "
        "(right and suitably sure). Compare accuracy with its baseline and the loss with the "
        "prior loss before trusting either."
    ),
    "findings_title": "The doctor's findings: {subject}",
    "subject_run": "the run of part 2",
    # Part 4: report and dashboard
    "part4": "Part 4. Report and dashboard",
    "report_written": "HTML report of the run: {path}",
    "report_missing": (
        "This installation has no HTML report yet; the run is in the store and can be read "
        "with fitscope.Store({store!r}).get_run({run!r})."
    ),
    "doctor_hint": "Ask the doctor about the run: fitscope doctor {run} --store {store}",
    "runs_hint": "List the recorded runs: fitscope runs list --store {store}",
    "dashboard_hint": "Open the dashboard: fitscope ui --store {store}",
    "dashboard_missing": "This installation has no dashboard (fitscope ui) yet.",
    "opening_ui": "Opening the dashboard...",
    "done": "Done in {seconds} s.",
}

_RU = {
    "part1": "Часть 1. Функция потерь и точность на трёх людях",
    "intro": (
        "Угадываем пол человека (метка 1 или 0) по весу и росту логистической моделью без "
        "свободного члена: p(y=1) = 1 / (1 + exp(-(b1 * вес + b2 * рост))). Модель "
        "предсказывает 1, когда p >= 0,5."
    ),
    "at_params": "Предсказания при b1 = {b1}, b2 = {b2}",
    "person": "человек",
    "weight": "вес, кг",
    "height": "рост, см",
    "label": "метка",
    "probability": "p(y=1)",
    "predicted": "предсказание",
    "loss": "лог. потеря",
    "summed_loss": "Сумма логарифмических потерь (функция потерь):",
    "mean_loss": "Средняя логарифмическая потеря:",
    "accuracy_line": "Точность (доля верных ответов):",
    "baseline_line": "Точность ответа «всегда {label}»:",
    "loss_defined": (
        "Логарифмическая потеря человека равна -log вероятности, которую модель даёт его "
        "настоящей метке; функция потерь — их сумма (или среднее). Точность — доля людей, "
        "оказавшихся по верную сторону от 0,5."
    ),
    "training_title": "Три оптимизатора минимизируют функцию потерь, начиная с b1 = b2 = 0",
    "solver": "оптимизатор",
    "epoch": "эпоха",
    "summed_loss_col": "сумма потерь",
    "accuracy": "точность",
    "solver_gd": "градиентный спуск (шаг {lr})",
    "solver_adam": "Adam (шаг {lr})",
    "solver_newton": "метод Ньютона",
    "flip_note": (
        "{solver}: на эпохе {epoch} точность изменилась с {before} на {after}, а функция "
        "потерь продолжала убывать."
    ),
    "gd_slow": (
        "Градиентный спуск здесь медленный: вес и рост велики и почти пропорциональны, "
        "поэтому функция потерь — длинная узкая долина, и устойчивы только крошечные шаги. "
        "Метод Ньютона учитывает кривизну, и ему хватает {epochs} эпох."
    ),
    "optimum_title": "В минимуме функции потерь",
    "optimum_line": (
        "Оптимальные по функции потерь параметры: b1 = {b1}, b2 = {b2}, сумма потерь {loss}"
    ),
    "optimum_accuracy": (
        "Точность там: {accuracy}. Если всегда отвечать 0, точность {baseline}, и никакая "
        "модель не нужна."
    ),
    "lesson": (
        "Функция потерь и точность измеряют разное. Функция потерь спрашивает, какую "
        "вероятность модель даёт правильному ответу, и плавно меняется с каждым параметром, "
        "поэтому оптимизатор может спускаться по ней. Точность спрашивает лишь, по какую "
        "сторону от 0,5 легла каждая вероятность. Уменьшение функции потерь в целом улучшило "
        "вероятности, но двое оказались чуть-чуть по неверную сторону от 0,5."
    ),
    "surfaces_title": "Функция потерь и точность на плоскости (b1, b2)",
    "loss_panel": "сумма лог. потерь (темнее = меньше)",
    "accuracy_panel": "точность (плоские ступени)",
    "surfaces_legend": (
        "o начало (b1 = {b1}, b2 = {b2}), * минимум функции потерь. Оттенки потерь: "
        "{levels}. Точность: «{low_char}» = {low}, «{high_char}» = {high}."
    ),
    "surfaces_lesson": (
        "Функция потерь — гладкая чаша: в каждой точке её наклон показывает, куда спускаться. "
        "Точность почти везде постоянна и скачет на линиях, где меняется чьё-то "
        "предсказание: её градиент равен нулю, поэтому градиентный спуск не может её "
        "оптимизировать."
    ),
    "png_written": "Рисунок обеих поверхностей: {path}",
    "png_skipped_quick": "(--quick: PNG с поверхностями создаёт полная версия демо.)",
    "png_missing": ('(Для PNG с поверхностями нужен matplotlib: pip install "fitscope[plot]".)'),
    "part2": "Часть 2. Настоящее обучение с переобучением",
    "run_intro": (
        "Рукописные цифры (8x8 пикселей), задача: чётная ли цифра? Данные разделены на "
        "{n_train} обучающих изображений (по ним подбираются веса), {n_val} валидационных "
        "(проверяются каждую эпоху и решают, когда остановиться) и {n_test} тестовых "
        "(оцениваются один раз, в конце). Модель — логистическая регрессия на {n_features} "
        "исходных пикселях, обучаемая методом Adam почти без регуляризации; у неё достаточно "
        "параметров, чтобы запомнить немногие обучающие изображения."
    ),
    "run_stored": "Каждая эпоха записана в запуск {run} ({name}) в хранилище {store}.",
    "train_loss": "потери (обуч.)",
    "train_accuracy": "точность (обуч.)",
    "val_loss": "потери (вал.)",
    "val_accuracy": "точность (вал.)",
    "best_marker": "лучшая",
    "overfit_summary": (
        "Начиная с эпохи {best}, потери на обучающих данных продолжали падать ({train_best} "
        "-> {train_last}), а на валидационных росли ({val_best} -> {val_last}): модель "
        "заучивает обучающие изображения, а не цифры. Это и есть переобучение."
    ),
    "early_stop": (
        "Ранняя остановка ждала улучшения валидационных потерь {patience} эпох, остановила "
        "обучение на эпохе {last} и вернула веса эпохи {best}."
    ),
    "no_early_stop": (
        "Обучение прошло все {last} эпох; лучшие валидационные потери были на эпохе {best}."
    ),
    "test_line": (
        "Тестовые данные, оценённые один раз с весами эпохи {best}: точность {accuracy}, "
        "логарифмическая потеря {loss}."
    ),
    "test_why": (
        "Тестовые изображения не участвовали ни в обучении, ни в остановке, поэтому это "
        "честная оценка; если смотреть на неё снова и снова, подбирая настройки, она станет "
        "ещё одной валидационной выборкой."
    ),
    "part3": "Часть 3. Когда высокая точность скрывает проблему",
    "case": "случай",
    "positives": "доля 1",
    "baseline_col": "базовая точность",
    "balanced_accuracy": "сбаланс. точность",
    "prior_loss": "потери по частотам",
    "worst_share": "доля потерь худшего 1%",
    "case_imbalanced": "это 9? (только по чернилам)",
    "case_clean": "3 или 8? верные метки",
    "case_confident_mistakes": "3 или 8? ошибочных меток: {n}",
    "imbalanced_lesson": (
        "Несбалансированность: девяток лишь {positives}. Модель, которая видит только "
        "количество чернил, получает точность {accuracy} — ровно столько же, сколько ответ "
        "«не 9» для всех; её сбалансированная точность {balanced}, а логарифмическая потеря "
        "({loss}) не лучше потерь предсказания частот классов ({prior}). Она ничему не "
        "научилась."
    ),
    "confident_lesson": (
        "Уверенные ошибки: на верных метках модель даёт точность {clean_accuracy} и "
        "логарифмическую потерю {clean_loss}. Когда {n} из {total} меток ошибочны, точность "
        "почти не меняется ({accuracy}), а потеря вырастает до {loss}, и худший 1% примеров "
        "({n_worst}) несёт {share} её: уверенный неверный ответ стоит гораздо дороже "
        "неуверенного. Большая функция потерь при высокой точности указывает на несколько "
        "уверенных ошибок, часто на неверные метки."
    ),
    "three_cases": (
        "Три картины: низкая точность и огромная функция потерь (уверенно неправ), высокая "
        "точность и огромная функция потерь (несколько уверенных ошибок), высокая точность и "
        "низкая функция потерь (прав и в меру уверен). Прежде чем доверять цифрам, сравните "
        "точность с базовой, а функцию потерь — с потерями по частотам классов."
    ),
    "findings_title": "Заключения доктора: {subject}",
    "subject_run": "запуск из части 2",
    "part4": "Часть 4. Отчёт и панель",
    "report_written": "HTML-отчёт о запуске: {path}",
    "report_missing": (
        "В этой установке ещё нет HTML-отчёта; запуск лежит в хранилище, его можно прочитать "
        "через fitscope.Store({store!r}).get_run({run!r})."
    ),
    "doctor_hint": "Спросить доктора о запуске: fitscope doctor {run} --store {store}",
    "runs_hint": "Список записанных запусков: fitscope runs list --store {store}",
    "dashboard_hint": "Открыть панель: fitscope ui --store {store}",
    "dashboard_missing": "В этой установке ещё нет панели (fitscope ui).",
    "opening_ui": "Открываю панель...",
    "done": "Готово за {seconds} с.",
}

_ES = {
    "part1": "Parte 1. Pérdida y exactitud con tres personas",
    "intro": (
        "Adivinamos el sexo de una persona (etiqueta 1 o 0) a partir de su peso y su altura "
        "con un modelo logístico sin término independiente: p(y=1) = 1 / (1 + exp(-(b1 * peso "
        "+ b2 * altura))). El modelo predice 1 cuando p >= 0,5."
    ),
    "at_params": "Predicciones con b1 = {b1}, b2 = {b2}",
    "person": "persona",
    "weight": "peso, kg",
    "height": "altura, cm",
    "label": "etiqueta",
    "probability": "p(y=1)",
    "predicted": "predicción",
    "loss": "pérdida log.",
    "summed_loss": "Pérdida logarítmica sumada (la pérdida):",
    "mean_loss": "Pérdida logarítmica media:",
    "accuracy_line": "Exactitud (accuracy, proporción de aciertos):",
    "baseline_line": "Exactitud de predecir siempre {label}:",
    "loss_defined": (
        "La pérdida logarítmica de cada persona es -log de la probabilidad que el modelo da a "
        "su etiqueta verdadera; la pérdida es su suma (o su media). La exactitud es la "
        "proporción de personas que quedan del lado correcto de 0,5."
    ),
    "training_title": "Tres optimizadores minimizan la pérdida, partiendo de b1 = b2 = 0",
    "solver": "optimizador",
    "epoch": "época",
    "summed_loss_col": "pérdida sumada",
    "accuracy": "exactitud",
    "solver_gd": "descenso de gradiente (paso {lr})",
    "solver_adam": "Adam (paso {lr})",
    "solver_newton": "método de Newton",
    "flip_note": (
        "{solver}: en la época {epoch} la exactitud pasó de {before} a {after} mientras la "
        "pérdida seguía bajando."
    ),
    "gd_slow": (
        "El descenso de gradiente es lento aquí: el peso y la altura son grandes y casi "
        "proporcionales, así que la pérdida es un valle largo y estrecho y solo los pasos "
        "diminutos son estables. El método de Newton usa la curvatura y necesita {epochs} "
        "épocas."
    ),
    "optimum_title": "En el mínimo de la pérdida",
    "optimum_line": (
        "Parámetros óptimos para la pérdida: b1 = {b1}, b2 = {b2}, pérdida sumada {loss}"
    ),
    "optimum_accuracy": (
        "Exactitud allí: {accuracy}. Predecir siempre 0 obtiene {baseline}, sin modelo alguno."
    ),
    "lesson": (
        "La pérdida y la exactitud miden cosas distintas. La pérdida pregunta cuánta "
        "probabilidad da el modelo a la verdad y cambia suavemente con cada parámetro, así "
        "que un optimizador puede seguirla cuesta abajo. La exactitud solo pregunta a qué lado "
        "de 0,5 cae cada probabilidad. Bajar la pérdida mejoró las probabilidades en conjunto, "
        "pero dos personas quedan justo del lado equivocado de 0,5."
    ),
    "surfaces_title": "La pérdida y la exactitud sobre (b1, b2)",
    "loss_panel": "pérdida log. sumada (más oscuro = menor)",
    "accuracy_panel": "exactitud (escalones planos)",
    "surfaces_legend": (
        "o inicio (b1 = {b1}, b2 = {b2}), * mínimo de la pérdida. Tonos de la pérdida: "
        "{levels}. Exactitud: «{low_char}» = {low}, «{high_char}» = {high}."
    ),
    "surfaces_lesson": (
        "La pérdida es un cuenco suave: en cada punto su pendiente dice hacia dónde bajar. La "
        "exactitud es plana casi en todas partes y salta en las líneas donde cambia la "
        "predicción de alguien: su gradiente es cero, así que el descenso de gradiente no "
        "puede optimizarla."
    ),
    "png_written": "Imagen de ambas superficies: {path}",
    "png_skipped_quick": "(--quick: el PNG de las superficies lo escribe la demo completa.)",
    "png_missing": (
        '(El PNG de las superficies necesita matplotlib: pip install "fitscope[plot]".)'
    ),
    "part2": "Parte 2. Un entrenamiento real que sobreajusta",
    "run_intro": (
        "Dígitos manuscritos (8x8 píxeles), tarea: ¿es par el dígito? Los datos se dividen en "
        "{n_train} imágenes de entrenamiento (para ajustar), {n_val} de validación (vigiladas "
        "en cada época, deciden cuándo parar) y {n_test} de prueba (evaluadas una sola vez, al "
        "final). El modelo, una regresión logística sobre los {n_features} píxeles en bruto "
        "entrenada con Adam casi sin penalización, tiene parámetros de sobra para memorizar "
        "sus pocas imágenes de entrenamiento."
    ),
    "run_stored": "Cada época quedó registrada en la ejecución {run} ({name}) en {store}.",
    "train_loss": "pérdida entren.",
    "train_accuracy": "exactitud entren.",
    "val_loss": "pérdida valid.",
    "val_accuracy": "exactitud valid.",
    "best_marker": "mejor",
    "overfit_summary": (
        "Desde la época {best}, la pérdida de entrenamiento siguió bajando ({train_best} -> "
        "{train_last}) mientras la de validación subía ({val_best} -> {val_last}): el modelo "
        "aprende las imágenes de entrenamiento, no los dígitos. Eso es sobreajuste."
    ),
    "early_stop": (
        "La parada temprana esperó {patience} épocas a que mejorara la pérdida de validación, "
        "se detuvo en la época {last} y restauró los pesos de la época {best}."
    ),
    "no_early_stop": (
        "El entrenamiento recorrió las {last} épocas; la mejor pérdida de validación fue en la "
        "época {best}."
    ),
    "test_line": (
        "Conjunto de prueba, evaluado una vez con los pesos de la época {best}: exactitud "
        "{accuracy}, pérdida logarítmica {loss}."
    ),
    "test_why": (
        "Las imágenes de prueba no intervinieron ni en el entrenamiento ni en la parada, así "
        "que es una estimación honesta; consultarla una y otra vez para elegir ajustes la "
        "convertiría en otro conjunto de validación."
    ),
    "part3": "Parte 3. Cuando una exactitud alta oculta un problema",
    "case": "caso",
    "positives": "positivos",
    "baseline_col": "línea base (mayoría)",
    "balanced_accuracy": "exactitud equilibrada",
    "prior_loss": "pérdida a priori",
    "worst_share": "pérdida del peor 1%",
    "case_imbalanced": "¿es un 9? (solo tinta)",
    "case_clean": "¿3 u 8? etiquetas limpias",
    "case_confident_mistakes": "¿3 u 8? {n} etiquetas erróneas",
    "imbalanced_lesson": (
        "Desequilibrio: solo el {positives} de los dígitos son nueves. Un modelo que solo ve "
        "la cantidad de tinta obtiene {accuracy}, exactamente lo que obtiene responder siempre "
        "«no es un 9»; su exactitud equilibrada es {balanced} y su pérdida logarítmica "
        "({loss}) no mejora la pérdida a priori ({prior}) de predecir las frecuencias de las "
        "clases. No aprendió nada."
    ),
    "confident_lesson": (
        "Errores con confianza: con etiquetas limpias el modelo obtiene {clean_accuracy} con "
        "pérdida logarítmica {clean_loss}. Con {n} de {total} etiquetas erróneas la exactitud "
        "apenas cambia ({accuracy}), pero la pérdida sube a {loss} y el peor 1% de las "
        "muestras ({n_worst}) carga con el {share} de ella: una respuesta errónea y segura "
        "cuesta mucho más que una dudosa. Una pérdida grande tras una exactitud alta apunta a "
        "unos pocos errores con confianza, a menudo etiquetas equivocadas."
    ),
    "three_cases": (
        "Tres situaciones: exactitud baja con una pérdida enorme (equivocado y seguro), "
        "exactitud alta con una pérdida enorme (unos pocos errores con confianza), exactitud "
        "alta con una pérdida baja (acierta con la seguridad justa). Compare la exactitud con "
        "su línea base y la pérdida con la pérdida a priori antes de fiarse de ninguna."
    ),
    "findings_title": "Lo que encuentra el doctor: {subject}",
    "subject_run": "la ejecución de la parte 2",
    "part4": "Parte 4. Informe y panel",
    "report_written": "Informe HTML de la ejecución: {path}",
    "report_missing": (
        "Esta instalación aún no tiene informe HTML; la ejecución está en el almacén y se lee "
        "con fitscope.Store({store!r}).get_run({run!r})."
    ),
    "doctor_hint": "Consultar al doctor sobre la ejecución: fitscope doctor {run} --store {store}",
    "runs_hint": "Listar las ejecuciones registradas: fitscope runs list --store {store}",
    "dashboard_hint": "Abrir el panel: fitscope ui --store {store}",
    "dashboard_missing": "Esta instalación aún no tiene panel (fitscope ui).",
    "opening_ui": "Abriendo el panel...",
    "done": "Hecho en {seconds} s.",
}

_IT = {
    "part1": "Parte 1. Perdita e accuratezza su tre persone",
    "intro": (
        "Indoviniamo il sesso di una persona (etichetta 1 o 0) da peso e altezza con un "
        "modello logistico senza intercetta: p(y=1) = 1 / (1 + exp(-(b1 * peso + b2 * "
        "altezza))). Il modello predice 1 quando p >= 0,5."
    ),
    "at_params": "Previsioni con b1 = {b1}, b2 = {b2}",
    "person": "persona",
    "weight": "peso, kg",
    "height": "altezza, cm",
    "label": "etichetta",
    "probability": "p(y=1)",
    "predicted": "previsione",
    "loss": "perdita log.",
    "summed_loss": "Perdita logaritmica sommata (la perdita):",
    "mean_loss": "Perdita logaritmica media:",
    "accuracy_line": "Accuratezza (quota di risposte giuste):",
    "baseline_line": "Accuratezza di prevedere sempre {label}:",
    "loss_defined": (
        "La perdita logaritmica di ciascuno è -log della probabilità che il modello assegna "
        "alla sua etichetta vera; la perdita è la loro somma (o media). L'accuratezza è la "
        "quota di persone che cadono dal lato giusto di 0,5."
    ),
    "training_title": "Tre ottimizzatori minimizzano la perdita, partendo da b1 = b2 = 0",
    "solver": "ottimizzatore",
    "epoch": "epoca",
    "summed_loss_col": "perdita sommata",
    "accuracy": "accuratezza",
    "solver_gd": "discesa del gradiente (passo {lr})",
    "solver_adam": "Adam (passo {lr})",
    "solver_newton": "metodo di Newton",
    "flip_note": (
        "{solver}: all'epoca {epoch} l'accuratezza è passata da {before} a {after} mentre la "
        "perdita continuava a scendere."
    ),
    "gd_slow": (
        "Qui la discesa del gradiente è lenta: peso e altezza sono grandi e quasi "
        "proporzionali, quindi la perdita è una valle lunga e stretta e solo passi minuscoli "
        "sono stabili. Il metodo di Newton usa la curvatura e gli bastano {epochs} epoche."
    ),
    "optimum_title": "Nel minimo della perdita",
    "optimum_line": (
        "Parametri ottimali per la perdita: b1 = {b1}, b2 = {b2}, perdita sommata {loss}"
    ),
    "optimum_accuracy": (
        "Accuratezza lì: {accuracy}. Prevedere sempre 0 ottiene {baseline}, senza alcun modello."
    ),
    "lesson": (
        "Perdita e accuratezza misurano cose diverse. La perdita chiede quanta probabilità il "
        "modello assegna alla verità e cambia in modo continuo con ogni parametro, così un "
        "ottimizzatore può seguirla in discesa. L'accuratezza chiede solo da che lato di 0,5 "
        "cade ogni probabilità. Abbassare la perdita ha migliorato le probabilità nel "
        "complesso, eppure due persone restano appena dal lato sbagliato di 0,5."
    ),
    "surfaces_title": "La perdita e l'accuratezza su (b1, b2)",
    "loss_panel": "perdita log. sommata (più scuro = minore)",
    "accuracy_panel": "accuratezza (gradini piatti)",
    "surfaces_legend": (
        "o partenza (b1 = {b1}, b2 = {b2}), * minimo della perdita. Toni della perdita: "
        "{levels}. Accuratezza: «{low_char}» = {low}, «{high_char}» = {high}."
    ),
    "surfaces_lesson": (
        "La perdita è una conca liscia: in ogni punto la sua pendenza dice da che parte "
        "scendere. L'accuratezza è piatta quasi ovunque e salta sulle linee dove cambia la "
        "previsione di qualcuno: il suo gradiente è zero, quindi la discesa del gradiente non "
        "può ottimizzarla."
    ),
    "png_written": "Immagine delle due superfici: {path}",
    "png_skipped_quick": "(--quick: il PNG delle superfici lo scrive la demo completa.)",
    "png_missing": ('(Il PNG delle superfici richiede matplotlib: pip install "fitscope[plot]".)'),
    "part2": "Parte 2. Un addestramento reale che va in overfitting",
    "run_intro": (
        "Cifre scritte a mano (8x8 pixel), compito: la cifra è pari? I dati sono divisi in "
        "{n_train} immagini di addestramento (per adattare i pesi), {n_val} di validazione "
        "(controllate a ogni epoca, decidono quando fermarsi) e {n_test} di test (valutate una "
        "sola volta, alla fine). Il modello, una regressione logistica sui {n_features} pixel "
        "grezzi addestrata con Adam quasi senza penalità, ha parametri a sufficienza per "
        "memorizzare le sue poche immagini di addestramento."
    ),
    "run_stored": "Ogni epoca è registrata nell'esecuzione {run} ({name}) in {store}.",
    "train_loss": "perdita addestr.",
    "train_accuracy": "accuratezza addestr.",
    "val_loss": "perdita valid.",
    "val_accuracy": "accuratezza valid.",
    "best_marker": "migliore",
    "overfit_summary": (
        "Dall'epoca {best} in poi la perdita di addestramento ha continuato a scendere "
        "({train_best} -> {train_last}) mentre quella di validazione saliva ({val_best} -> "
        "{val_last}): il modello impara le immagini di addestramento, non le cifre. Questo è "
        "l'overfitting (sovradattamento)."
    ),
    "early_stop": (
        "L'arresto anticipato ha atteso {patience} epoche un miglioramento della perdita di "
        "validazione, si è fermato all'epoca {last} e ha ripristinato i pesi dell'epoca {best}."
    ),
    "no_early_stop": (
        "L'addestramento ha percorso tutte le {last} epoche; la migliore perdita di "
        "validazione era all'epoca {best}."
    ),
    "test_line": (
        "Insieme di test, valutato una volta con i pesi dell'epoca {best}: accuratezza "
        "{accuracy}, perdita logaritmica {loss}."
    ),
    "test_why": (
        "Le immagini di test non hanno avuto alcun ruolo né nell'addestramento né nell'arresto, "
        "quindi questa è una stima onesta; consultarla più volte per scegliere le impostazioni "
        "la trasformerebbe in un altro insieme di validazione."
    ),
    "part3": "Parte 3. Quando un'accuratezza alta nasconde un problema",
    "case": "caso",
    "positives": "positivi",
    "baseline_col": "riferimento (maggioranza)",
    "balanced_accuracy": "accuratezza bilanciata",
    "prior_loss": "perdita a priori",
    "worst_share": "perdita del peggior 1%",
    "case_imbalanced": "è un 9? (solo inchiostro)",
    "case_clean": "3 o 8? etichette pulite",
    "case_confident_mistakes": "3 o 8? {n} etichette errate",
    "imbalanced_lesson": (
        "Sbilanciamento: solo il {positives} delle cifre sono dei 9. Un modello che vede solo "
        "la quantità di inchiostro ottiene {accuracy}, esattamente quanto rispondere sempre "
        "«non è un 9»; la sua accuratezza bilanciata è {balanced} e la sua perdita "
        "logaritmica ({loss}) non è migliore della perdita a priori ({prior}) che si ottiene "
        "prevedendo le frequenze delle classi. Non ha imparato nulla."
    ),
    "confident_lesson": (
        "Errori sicuri: con etichette pulite il modello ottiene {clean_accuracy} con perdita "
        "logaritmica {clean_loss}. Con {n} etichette errate su {total} l'accuratezza cambia "
        "appena ({accuracy}), ma la perdita sale a {loss} e il peggior 1% dei campioni "
        "({n_worst}) ne porta il {share}: una risposta sbagliata e sicura costa molto più di "
        "una incerta. Una perdita grande dietro un'accuratezza alta indica pochi errori "
        "sicuri, spesso etichette sbagliate."
    ),
    "three_cases": (
        "Tre quadri: accuratezza bassa con perdita enorme (sbagliato e sicuro), accuratezza "
        "alta con perdita enorme (pochi errori sicuri), accuratezza alta con perdita bassa "
        "(giusto e sicuro il giusto). Confrontate l'accuratezza con il suo riferimento e la "
        "perdita con la perdita a priori prima di fidarvi dell'una o dell'altra."
    ),
    "findings_title": "I risultati del dottore: {subject}",
    "subject_run": "l'esecuzione della parte 2",
    "part4": "Parte 4. Report e dashboard",
    "report_written": "Report HTML dell'esecuzione: {path}",
    "report_missing": (
        "Questa installazione non ha ancora il report HTML; l'esecuzione è nell'archivio e si "
        "legge con fitscope.Store({store!r}).get_run({run!r})."
    ),
    "doctor_hint": "Chiedere al dottore dell'esecuzione: fitscope doctor {run} --store {store}",
    "runs_hint": "Elenco delle esecuzioni registrate: fitscope runs list --store {store}",
    "dashboard_hint": "Aprire la dashboard: fitscope ui --store {store}",
    "dashboard_missing": "Questa installazione non ha ancora la dashboard (fitscope ui).",
    "opening_ui": "Apertura della dashboard...",
    "done": "Fatto in {seconds} s.",
}

TEXT: dict[str, dict[str, str]] = {"en": _EN, "ru": _RU, "es": _ES, "it": _IT}
